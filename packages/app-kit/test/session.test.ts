import { describe, expect, it } from 'vitest';
import { AppError, BankRefusal, isBankRefusal, isSignedOut } from '../src/errors.js';
import { BankSession } from '../src/session.js';
import { freshDb } from './support/schema.js';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const USER_ID = '0b9d6c1e-5f4a-4e8b-9c3d-2a1f0e9d8c7b';
const login = (accessToken: string) =>
  json(200, {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: 900,
    expiresAt: '2026-01-01T00:15:00.000Z',
  });
const refusal = (status: number, code: string, message: string) =>
  json(status, { code, message, details: {} });

/** A bank answering login with a token, then each later call with `answers` in turn. */
function fakeBank(...answers: Response[]) {
  const urls: string[] = [];
  const fetchImpl = ((url: string) => {
    urls.push(url);
    return Promise.resolve(answers.shift() ?? json(500, {}));
  }) as typeof fetch;
  return { fetchImpl, urls };
}

describe('matching errors by code', () => {
  it('tells a bank refusal, and a signed-out one, from anything else', () => {
    const expired = new BankRefusal('BANK_TOKEN_EXPIRED', 'expired', 401);
    const wrong = new BankRefusal('BANK_BAD_CREDENTIALS', 'wrong', 401);
    // A copy from another realm or bundle: same name and code, not the same class.
    const copy = { name: 'BankRefusal', code: 'BANK_TOKEN_REVOKED', status: 401, message: 'x' };
    expect([isBankRefusal(expired), isBankRefusal(expired, 'BANK_TOKEN_EXPIRED')]).toEqual([
      true,
      true,
    ]);
    expect(isBankRefusal(expired, 'BANK_TOKEN_REVOKED')).toBe(false);
    expect(isBankRefusal(new AppError('APP_OFFLINE'))).toBe(false);
    expect([isSignedOut(expired), isSignedOut(copy), isSignedOut(wrong)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(isSignedOut(new AppError('APP_OFFLINE'))).toBe(false);
  });
});

describe('BankSession', () => {
  it('signs in, keeps the token in memory, and forgets it when the bank ends the session', async () => {
    const db = await freshDb();
    const bank = fakeBank(
      login('tok.en'),
      json(200, { userId: USER_ID, accounts: [] }),
      refusal(401, 'BANK_TOKEN_EXPIRED', 'expired'),
    );
    const session = new BankSession(db, bank.fetchImpl);
    expect(session.signedIn).toBe(false);
    await session.signIn(' alice@example.com ', 'pw');
    expect(session.signedIn).toBe(true);
    expect(await session.authed((c, token) => c.accounts(token))).toEqual([]);
    const refused = await session.authed((c, token) => c.accounts(token)).catch((e: unknown) => e);
    expect(isSignedOut(refused)).toBe(true);
    expect(session.signedIn).toBe(false);
    expect(bank.urls[0]).toBe('http://127.0.0.1:8787/v1/auth/login');
  });

  it('keeps the token on other refusals, and asks to sign in when it holds none', async () => {
    const db = await freshDb();
    const bank = fakeBank(refusal(503, 'BANK_UNAVAILABLE', 'later'));
    const session = new BankSession(db, bank.fetchImpl);
    const none = await session.authed(() => Promise.resolve(1)).catch((e: unknown) => e);
    expect(isSignedOut(none)).toBe(true);
    session.keep('tok.en');
    const later = await session.authed((c, t) => c.accounts(t)).catch((e: unknown) => e);
    expect(isBankRefusal(later, 'BANK_UNAVAILABLE')).toBe(true);
    expect(session.signedIn).toBe(true);
  });

  it('saves a new bank address under the rules, and a new address ends the session', async () => {
    const db = await freshDb();
    const bank = fakeBank(json(200, { userId: USER_ID, accounts: [] }));
    const session = new BankSession(db, bank.fetchImpl);
    session.keep('tok.en');
    expect(await session.setBankUrl('https://bank.example/')).toBe('https://bank.example');
    expect(session.signedIn).toBe(false);
    expect((await session.client()).baseUrl).toBe('https://bank.example');
    await expect(session.setBankUrl('bank')).rejects.toMatchObject({
      code: 'APP_BANK_URL_INVALID',
    });
    expect(await db.get('meta', 'bankUrl')).toBe('https://bank.example');
  });
});

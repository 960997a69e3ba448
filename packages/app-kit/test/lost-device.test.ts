// @vitest-environment happy-dom
/**
 * "Lost or stolen device" (lost-device.ts): signs in when needed, lists the account's wallets
 * with this one marked, and reports another one lost or stolen through the bank — which ends
 * every session of the account, this one's too: the section forgets the token and asks the user to
 * sign in again (docs/threat-model.md §4.1).
 */
import { describe, expect, it } from 'vitest';
import { lostDeviceSection } from '../src/lost-device.js';
import { BankSession } from '../src/session.js';
import { freshDb } from './support/schema.js';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const cert = (serial: string, over: Record<string, unknown> = {}) => ({
  serial,
  kind: 'payer',
  status: 'active',
  currency: 'EUR',
  limitMinor: '2000',
  displayName: null,
  issuedAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-08T00:00:00.000Z',
  closedAt: null,
  reason: null,
  reportedAt: null,
  handedOverTo: null,
  ...over,
});
const till = cert('9', { kind: 'payee', limitMinor: null, displayName: 'Own Stall' });
const login = () =>
  json(200, {
    accessToken: 'tok.en',
    tokenType: 'Bearer',
    expiresIn: 900,
    expiresAt: '2026-01-01T00:15:00.000Z',
  });
const reportedAt = '2026-01-02T10:00:00.000Z';

function fakeBank(...answers: Response[]) {
  const calls: { url: string; method: string; body: string | undefined }[] = [];
  const fetchImpl = ((url: string, init: RequestInit) => {
    calls.push({ url, method: init.method ?? 'GET', body: init.body as string | undefined });
    return Promise.resolve(answers.shift() ?? json(500, {}));
  }) as typeof fetch;
  return { fetchImpl, calls };
}

const textOf = (el: HTMLElement) => el.textContent ?? '';
const buttonNamed = (el: HTMLElement, name: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent === name);

describe('lostDeviceSection', () => {
  it('signs in, lists the wallets (not the tills), reports the old phone stolen, and signs in again', async () => {
    const db = await freshDb();
    const bank = fakeBank(
      login(),
      json(200, { certificates: [till, cert('8'), cert('5')] }),
      json(200, {
        serial: '5',
        kind: 'payer',
        status: 'revoked',
        reason: 'compromised',
        closedAt: reportedAt,
        reportedAt,
        signedOut: true,
      }),
      login(),
      json(200, {
        certificates: [till, cert('8'), cert('5', { status: 'revoked', reportedAt })],
      }),
    );
    const session = new BankSession(db, bank.fetchImpl);
    const el = lostDeviceSection(session, 'payer', 8);
    document.body.replaceChildren(el);
    expect(textOf(el)).toContain('Sign in to your bank');
    el.querySelector<HTMLInputElement>('input[type=email]')!.value = 'alice@example.com';
    el.querySelector<HTMLInputElement>('input[type=password]')!.value = 'secret';
    el.querySelector('form')!.requestSubmit();
    await expect.poll(() => el.querySelectorAll('li').length).toBe(2);
    expect(textOf(el)).toContain('Wallet 8 (this one): allowance 20.00 EUR');
    expect(textOf(el)).not.toContain('Own Stall');
    const item = el.querySelectorAll('li')[1] as HTMLElement;
    buttonNamed(item, 'Report lost or stolen')!.click();
    expect(textOf(item)).toContain('cannot be undone');
    buttonNamed(item, 'It was stolen')!.click();
    await expect.poll(() => textOf(el)).toContain('Wallet 5 reported stolen');
    const report = bank.calls[2]!;
    expect(report).toMatchObject({ method: 'POST', body: '{"reason":"stolen"}' });
    expect(report.url).toMatch(/\/v1\/certificates\/5\/report$/);
    // The bank ended every session: this one forgets its token and asks for a sign-in.
    expect(textOf(el)).toContain(
      'Every session of your account was signed out, including this one: sign in again to continue.',
    );
    expect(session.signedIn).toBe(false);
    expect(el.querySelectorAll('li')).toHaveLength(0);
    el.querySelector<HTMLInputElement>('input[type=email]')!.value = 'alice@example.com';
    el.querySelector<HTMLInputElement>('input[type=password]')!.value = 'secret';
    el.querySelector('form')!.requestSubmit();
    await expect.poll(() => el.querySelectorAll('li').length).toBe(2);
    expect(session.signedIn).toBe(true);
    expect(bank.calls[3]!.url).toMatch(/\/v1\/auth\/login$/);
    expect(textOf(el)).toContain('Wallet 5: allowance 20.00 EUR, reported lost or stolen on');
    // A reported wallet offers no second report.
    expect(buttonNamed(el.querySelectorAll('li')[1] as HTMLElement, 'Report lost or stolen')).toBe(
      undefined,
    );
  });

  it('keeps the session when the bank ended none (a report answered again)', async () => {
    const db = await freshDb();
    const bank = fakeBank(
      login(),
      json(200, { certificates: [cert('5')] }),
      json(200, {
        serial: '5',
        kind: 'payer',
        status: 'revoked',
        reason: 'compromised',
        closedAt: reportedAt,
        reportedAt,
        signedOut: false,
      }),
      json(200, { certificates: [cert('5', { status: 'revoked', reportedAt })] }),
    );
    const session = new BankSession(db, bank.fetchImpl);
    await session.signIn('alice@example.com', 'secret');
    const el = lostDeviceSection(session, 'payer');
    await expect.poll(() => el.querySelectorAll('li').length).toBe(1);
    buttonNamed(el, 'Report lost or stolen')!.click();
    buttonNamed(el, 'It is lost')!.click();
    await expect.poll(() => textOf(el)).toContain('Wallet 5 reported lost: the bank revoked it.');
    expect(textOf(el)).not.toContain('sign in again');
    expect(session.signedIn).toBe(true);
    expect(bank.calls).toHaveLength(4);
  });

  it('says what the bank refused, in words, and offers to try again', async () => {
    const db = await freshDb();
    const bank = fakeBank(
      json(200, {
        accessToken: 'tok.en',
        tokenType: 'Bearer',
        expiresIn: 900,
        expiresAt: '2026-01-01T00:15:00.000Z',
      }),
      json(503, { code: 'BANK_UNAVAILABLE', message: 'down', details: {} }),
    );
    const session = new BankSession(db, bank.fetchImpl);
    await session.signIn('alice@example.com', 'secret');
    const el = lostDeviceSection(session, 'payer');
    await expect.poll(() => buttonNamed(el, 'Try again')).toBeDefined();
  });
});

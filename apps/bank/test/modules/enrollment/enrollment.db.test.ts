/** Enrollment over HTTP on Postgres: certificates, the reserve, and every refused proof. */
import { fromBase64Url, kid, toBase64Url } from '@offpay/crypto';
import {
  decodePayeeCertificate,
  decodePayerCertificate,
  ledgerGenesis,
  signEnrollment,
  verifyCertificate,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { protocolAnnouncer } from '../../../src/modules/keys/keys.signer.js';
import { enrollPayee } from '../../helpers/enrollment.js';
import { deviceKey, signInAgain, useWorld, World } from '../../helpers/world.js';

// The bank clock starts at a fixed instant; the in-memory stores follow it.
const bank = useWorld({ clock: new Date('2030-01-01T00:00:00.000Z'), invariants: true });

const DAY = 86_400;
const nowSeconds = () => Math.floor(bank.clock.getTime() / 1000);
const count = async (sql: string) => Number((await bank.db.query<{ n: bigint }>(sql))[0]?.n ?? 0n);

describe('payer enrollment', () => {
  it('issues a payer certificate signed by the bank key and reserves its limit', async () => {
    const user = await bank.user();
    await bank.fund(user, 10_000n);
    const key = deviceKey();
    const res = await bank.enrollPayer(user, '2500', { key });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ serial: string; certificate: string; expiresAt: string }>();
    const cert = decodePayerCertificate(fromBase64Url(body.certificate));
    verifyCertificate(cert, await bank.pinnedKeys());
    expect(cert).toMatchObject({
      serial: Number(body.serial),
      currency: 'EUR',
      limit: 2500,
      expiresAt: nowSeconds() + 7 * DAY,
    });
    expect(cert.signKey).toEqual(key.publicKey);
    expect(res.json()).toMatchObject({
      limitMinor: '2500',
      currency: 'EUR',
      expiresAt: new Date((nowSeconds() + 7 * DAY) * 1000).toISOString(),
    });
    expect(await bank.balances(user)).toEqual({ customer: 7_500n, reserve: 2_500n });
    const [transfer] = await bank.db.query<{ kind: string; reference: string }>(
      "SELECT kind, reference FROM transfers WHERE kind = 'reserve'",
    );
    expect(transfer).toEqual({ kind: 'reserve', reference: `payer:${body.serial}` });
  });

  it('refuses a limit beyond the balance with 409 and moves nothing', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const transfers = await count('SELECT count(*) AS n FROM transfers');
    const certs = await count('SELECT count(*) AS n FROM payer_certificates');
    const res = await bank.enrollPayer(user, '1001');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'BANK_INSUFFICIENT_FUNDS',
      details: { balanceMinor: '1000', requiredMinor: '1001' },
    });
    expect(await bank.balances(user)).toEqual({ customer: 1_000n, reserve: 0n });
    expect(await count('SELECT count(*) AS n FROM transfers')).toBe(transfers);
    expect(await count('SELECT count(*) AS n FROM payer_certificates')).toBe(certs);
  });

  it('answers a currency the user holds no account in with 404', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const res = await bank.enrollPayer(user, '10', { override: { currency: 'USD' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'BANK_ACCOUNT_NOT_FOUND' });
  });

  it('lets a restored wallet enroll again with a new key and a new serial', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const first = await bank.enrollPayer(user, '100');
    const second = await bank.enrollPayer(user, '100');
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(second.json<{ serial: string }>().serial).not.toBe(
      first.json<{ serial: string }>().serial,
    );
    expect(await bank.balances(user)).toEqual({ customer: 800n, reserve: 200n });
  });
});

describe('challenges and proofs of possession', () => {
  it('uses a challenge once, even when the first answer fails', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const { challengeId } = await bank.challenge(user);
    const wrong = await bank.enrollPayer(user, '10', { challengeId });
    // The proof was made over another challenge: refused, and the challenge is now spent.
    expect(wrong.json()).toMatchObject({ code: 'BANK_ENROLLMENT_PROOF_INVALID' });
    const body = await bank.payerRequest(user, '10');
    const ok = await bank.post('/v1/enrollment/payer', body, user);
    expect(ok.statusCode).toBe(201);
    const replay = await bank.post('/v1/enrollment/payer', body, user);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toMatchObject({ code: 'BANK_CHALLENGE_INVALID' });
  });

  it("refuses another user's challenge", async () => {
    const alice = await bank.user();
    const mallory = await bank.user();
    await bank.fund(mallory, 1_000n);
    const key = deviceKey();
    const { challengeId, challenge } = await bank.challenge(alice);
    const signature = signEnrollment(
      { kind: 'payer', challenge, signKey: key.publicKey, kemKey: new Uint8Array(0) },
      key.secretKey,
    );
    const res = await bank.post(
      '/v1/enrollment/payer',
      {
        challengeId,
        signKey: toBase64Url(key.publicKey),
        signature: toBase64Url(signature),
        limitMinor: '10',
      },
      mallory,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BANK_CHALLENGE_INVALID' });
  });

  it('refuses a challenge answered after 5 minutes', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const key = deviceKey();
    const { challengeId, challenge } = await bank.challenge(user);
    bank.advance(301);
    // A fresh sign-in (the one before would be too old too): the challenge's age is what refuses.
    await signInAgain(bank, user);
    const signature = signEnrollment(
      { kind: 'payer', challenge, signKey: key.publicKey, kemKey: new Uint8Array(0) },
      key.secretKey,
    );
    const res = await bank.post(
      '/v1/enrollment/payer',
      {
        challengeId,
        signKey: toBase64Url(key.publicKey),
        signature: toBase64Url(signature),
        limitMinor: '10',
      },
      user,
    );
    expect(res.json()).toMatchObject({ code: 'BANK_CHALLENGE_INVALID' });
  });

  it('refuses a proof signed by another key, or for the other kind of certificate', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const device = deviceKey();
    const other = deviceKey();
    for (const sign of [
      // right tbs, wrong key
      (challenge: Uint8Array) =>
        signEnrollment(
          { kind: 'payer', challenge, signKey: device.publicKey, kemKey: new Uint8Array(0) },
          other.secretKey,
        ),
      // right key, but a payee proof presented for a payer certificate
      (challenge: Uint8Array) =>
        signEnrollment(
          { kind: 'payee', challenge, signKey: device.publicKey, kemKey: new Uint8Array(0) },
          device.secretKey,
        ),
    ]) {
      const { challengeId, challenge } = await bank.challenge(user);
      const res = await bank.post(
        '/v1/enrollment/payer',
        {
          challengeId,
          signKey: toBase64Url(device.publicKey),
          signature: toBase64Url(sign(challenge)),
          limitMinor: '10',
        },
        user,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'BANK_ENROLLMENT_PROOF_INVALID' });
    }
    expect(await bank.balances(user)).toEqual({ customer: 1_000n, reserve: 0n });
  });

  it('refuses malformed input with 400 and a code, never a 500', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    const key33 = toBase64Url(deviceKey().publicKey);
    const notAPoint = toBase64Url(new Uint8Array([2, ...new Uint8Array(32).fill(0xff)]));
    const cases: [Record<string, unknown>, string][] = [
      [{ limitMinor: '0' }, 'BANK_BAD_REQUEST'],
      [{ limitMinor: '01' }, 'BANK_BAD_REQUEST'],
      [{ limitMinor: '1.5' }, 'BANK_BAD_REQUEST'],
      [{ limitMinor: -5 }, 'BANK_BAD_REQUEST'],
      [{ limitMinor: '9007199254740992' }, 'BANK_BAD_REQUEST'],
      [{ currency: 'eur' }, 'BANK_BAD_REQUEST'],
      [{ signKey: `${key33}=` }, 'BANK_BAD_REQUEST'],
      [{ signKey: key33.slice(0, -1) }, 'BANK_BAD_REQUEST'],
      [{ signKey: key33.replace(/.$/, '+') }, 'BANK_BAD_REQUEST'],
      [{ signature: 'A'.repeat(85) + 'B' }, 'BANK_BAD_REQUEST'], // non-zero trailing bits
      [{ challengeId: 'x' }, 'BANK_BAD_REQUEST'],
      [{ signKey: notAPoint }, 'BANK_PUBLIC_KEY_INVALID'],
    ];
    for (const [override, code] of cases) {
      const res = await bank.enrollPayer(user, '10', { override });
      expect(res.statusCode, JSON.stringify(override)).toBe(400);
      expect(res.json(), JSON.stringify(override)).toMatchObject({ code });
    }
    const unauthenticated = await bank.post('/v1/enrollment/challenge');
    expect(unauthenticated.statusCode).toBe(401);
    expect(await bank.balances(user)).toEqual({ customer: 1_000n, reserve: 0n });
  });
});

describe('payee enrollment', () => {
  it("issues a payee certificate with the merchant's verified name and opens its ledger head", async () => {
    const user = await bank.merchant("Bob's Market");
    const key = deviceKey();
    const res = await bank.enrollPayee(user, key);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<{ serial: string; certificate: string; displayName: string }>();
    const cert = decodePayeeCertificate(fromBase64Url(body.certificate));
    verifyCertificate(cert, await bank.pinnedKeys());
    expect(cert).toMatchObject({
      serial: Number(body.serial),
      displayName: "Bob's Market",
      currency: 'EUR',
      expiresAt: nowSeconds() + 365 * DAY,
    });
    expect(body.displayName).toBe("Bob's Market");
    const [head] = await bank.db.query<{ next_index: bigint; head: Uint8Array }>(
      'SELECT next_index, head FROM payee_heads WHERE payee_serial = $1',
      [body.serial],
    );
    expect(head?.next_index).toBe(0n);
    expect(head?.head).toEqual(ledgerGenesis(cert.serial));
    // The payer certificate decoder refuses it: one kind never passes for the other.
    expect(() => decodePayerCertificate(fromBase64Url(body.certificate))).toThrow();
  });

  it('answers a till enrolling again with the same keys after a KEM rotation with its certificate (issue #12)', async () => {
    const user = await bank.merchant('Erin');
    const [key, kem] = [deviceKey(), deviceKey()];
    const first = await enrollPayee(bank, user, key, kem);
    expect(first.statusCode, first.body).toBe(201);
    const { keyring } = bank.app.services;
    await keyring.rotate(
      'kem',
      protocolAnnouncer(keyring, () => bank.clock),
    );
    const again = await enrollPayee(bank, user, key, kem);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toEqual(first.json());
    const held = await bank.db.query('SELECT serial FROM payee_certificates WHERE kid = $1', [
      kid(key.publicKey),
    ]);
    expect(held).toHaveLength(1);
    // The same keys under another user stay refused.
    const other = await bank.merchant('Mallory');
    const stolen = await enrollPayee(bank, other, key, kem);
    expect(stolen.statusCode).toBe(409);
    expect(stolen.json()).toMatchObject({ code: 'BANK_KEY_ALREADY_ENROLLED' });
  });

  it('refuses a signing key that already has a payee certificate with another KEM key', async () => {
    const user = await bank.merchant('Carol');
    const key = deviceKey();
    expect((await bank.enrollPayee(user, key)).statusCode).toBe(201);
    const again = await bank.enrollPayee(user, key);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'BANK_KEY_ALREADY_ENROLLED' });
  });

  it('refuses an invalid KEM key', async () => {
    const user = await bank.merchant('Dan');
    const key = deviceKey();
    const { challengeId, challenge } = await bank.challenge(user);
    const kemKey = new Uint8Array(33).fill(7);
    const signature = signEnrollment(
      { kind: 'payee', challenge, signKey: key.publicKey, kemKey },
      key.secretKey,
    );
    const res = await bank.post(
      '/v1/enrollment/payee',
      {
        challengeId,
        signKey: toBase64Url(key.publicKey),
        kemKey: toBase64Url(kemKey),
        signature: toBase64Url(signature),
      },
      user,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'BANK_PUBLIC_KEY_INVALID',
      details: { field: 'kemKey' },
    });
  });
});

describe('a payer enrollment needs a recent sign-in (docs/threat-model.md §4.1)', () => {
  const MAX_AGE = 300; // ENROLL_SIGN_IN_MAX_AGE_SECONDS by default
  const refusal = (res: { statusCode: number; json: <T>() => T }) => ({
    status: res.statusCode,
    code: res.json<{ code: string }>().code,
  });

  it('enrolls with a token signed in exactly the limit ago', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    bank.advance(MAX_AGE);
    const body = await bank.payerRequest(user, '100');
    const res = await bank.post('/v1/enrollment/payer', body, user);
    expect(res.statusCode, res.body).toBe(201);
    expect(await bank.balances(user)).toEqual({ customer: 900n, reserve: 100n });
  });

  it('refuses a token signed in longer ago with 401 BANK_SIGN_IN_REQUIRED, reserves nothing, and leaves the challenge for a fresh sign-in', async () => {
    const user = await bank.user();
    await bank.fund(user, 1_000n);
    // The owner signed in, then left the app open: the token is live for 15 minutes.
    bank.advance(MAX_AGE + 1);
    expect((await bank.get('/v1/accounts/me', user)).statusCode).toBe(200);
    const transfers = await count('SELECT count(*) AS n FROM transfers');
    const certs = await count('SELECT count(*) AS n FROM payer_certificates');
    const body = await bank.payerRequest(user, '1000');
    const stale = await bank.post('/v1/enrollment/payer', body, user);
    expect(refusal(stale)).toEqual({ status: 401, code: 'BANK_SIGN_IN_REQUIRED' });
    expect(stale.json<{ message: string }>().message).toBe('Sign in again to enroll a wallet');
    expect(await bank.balances(user)).toEqual({ customer: 1_000n, reserve: 0n });
    expect(await count('SELECT count(*) AS n FROM transfers')).toBe(transfers);
    expect(await count('SELECT count(*) AS n FROM payer_certificates')).toBe(certs);

    // The password again: the same, untaken challenge enrolls with the new token.
    await signInAgain(bank, user);
    const fresh = await bank.post('/v1/enrollment/payer', body, user);
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(await bank.balances(user)).toEqual({ customer: 0n, reserve: 1_000n });
  });

  it('leaves payee enrollment (which reserves no money) to any live token', async () => {
    const user = await bank.merchant('Late Larry');
    bank.advance(MAX_AGE + 1);
    const res = await enrollPayee(bank, user);
    expect(res.statusCode, res.body).toBe(201);
  });

  it('follows ENROLL_SIGN_IN_MAX_AGE_SECONDS', async () => {
    const strict = await World.create({
      clock: bank.clock,
      config: { enrollment: { signInMaxAgeSeconds: 30 } },
    });
    try {
      const user = await strict.user();
      await strict.fund(user, 100n);
      strict.advance(30);
      const ok = await strict.post(
        '/v1/enrollment/payer',
        await strict.payerRequest(user, '10'),
        user,
      );
      expect(ok.statusCode, ok.body).toBe(201);
      strict.advance(1);
      const late = await strict.post(
        '/v1/enrollment/payer',
        await strict.payerRequest(user, '10'),
        user,
      );
      expect(refusal(late)).toEqual({ status: 401, code: 'BANK_SIGN_IN_REQUIRED' });
      expect(await strict.balances(user)).toEqual({ customer: 90n, reserve: 10n });
    } finally {
      await strict.stop();
    }
  });
});

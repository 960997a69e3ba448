/**
 * Enrollment through the API, as a device does it: a challenge, a proof of possession over it,
 * then POST /v1/enrollment/payer or /payee. These answer the raw response, so tests can look at
 * refusals; devices.ts builds enrolled devices on top.
 */
import { fromBase64Url, generateSecretKey, getPublicKey, toBase64Url } from '@offpay/crypto';
import { signEnrollment } from '@offpay/protocol';
import type { LightMyRequestResponse } from 'fastify';
import type { TestBank } from './bank.js';
import { signInFreshForEnrollment, type User } from './users.js';

/** A device key pair. */
export interface DeviceKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

/** A fresh device key pair. */
export function deviceKey(): DeviceKey {
  const secretKey = generateSecretKey();
  return { secretKey, publicKey: getPublicKey(secretKey) };
}

/** A challenge for `user`. */
export async function challenge(
  bank: TestBank,
  user: User,
): Promise<{ challengeId: string; challenge: Uint8Array }> {
  const res = await bank.post('/v1/enrollment/challenge', undefined, user);
  if (res.statusCode !== 201) throw new Error(`challenge: ${res.statusCode} ${res.body}`);
  const body = res.json<{ challengeId: string; challenge: string }>();
  return { challengeId: body.challengeId, challenge: fromBase64Url(body.challenge) };
}

/** How a payer enrollment differs from an honest one. */
export interface PayerRequestOptions {
  key?: DeviceKey;
  challengeId?: string;
  /** Fields that replace the honest body's. */
  override?: Record<string, unknown>;
}

/** A body for POST /v1/enrollment/payer with a correct proof over a fresh challenge. */
export async function payerRequest(
  bank: TestBank,
  user: User,
  limitMinor: string,
  opts: PayerRequestOptions = {},
): Promise<Record<string, unknown>> {
  const key = opts.key ?? deviceKey();
  const c = await challenge(bank, user);
  const kemKey = new Uint8Array(0);
  const req = { kind: 'payer' as const, challenge: c.challenge, signKey: key.publicKey, kemKey };
  return {
    challengeId: opts.challengeId ?? c.challengeId,
    signKey: toBase64Url(key.publicKey),
    signature: toBase64Url(signEnrollment(req, key.secretKey)),
    limitMinor,
    ...opts.override,
  };
}

/**
 * POST /v1/enrollment/payer with a correct proof (unless `opts` changes the body), signed in
 * again first when the user's sign-in is too old for it, as the apps do.
 */
export async function enrollPayer(
  bank: TestBank,
  user: User,
  limitMinor: string,
  opts: PayerRequestOptions = {},
): Promise<LightMyRequestResponse> {
  await signInFreshForEnrollment(bank, user);
  const body = await payerRequest(bank, user, limitMinor, opts);
  return bank.post('/v1/enrollment/payer', body, user);
}

/** POST /v1/enrollment/payee with a correct proof for `key` and a fresh KEM key. */
export async function enrollPayee(
  bank: TestBank,
  user: User,
  key: DeviceKey = deviceKey(),
  kem: DeviceKey = deviceKey(),
): Promise<LightMyRequestResponse> {
  const c = await challenge(bank, user);
  const req = {
    kind: 'payee' as const,
    challenge: c.challenge,
    signKey: key.publicKey,
    kemKey: kem.publicKey,
  };
  return bank.post(
    '/v1/enrollment/payee',
    {
      challengeId: c.challengeId,
      signKey: toBase64Url(key.publicKey),
      kemKey: toBase64Url(kem.publicKey),
      signature: toBase64Url(signEnrollment(req, key.secretKey)),
    },
    user,
  );
}

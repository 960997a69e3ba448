/**
 * Enrollment with the bank, the part both apps share (DESIGN.md §3 "Enrollment"): the proof of
 * possession on a fresh single-use challenge, the bank's certificate for the key, and the check
 * that what the bank issued is signed by a pinned key and certifies this device's keys.
 */
import { equalBytes, getPublicKey } from '@offpay/crypto';
import { signEnrollment, type PayeeCertificate, type PayerCertificate } from '@offpay/protocol';
import { enrollmentKeys, followOps, heldKeys, type FollowedKeys } from './bank-keys.js';
import type { BankClient, EnrolledCertificate } from './bank.js';
import { AppError } from './errors.js';
import type { MetaDb } from './storage/db.js';
import type { MetaOp } from './storage/schema.js';
import { bankKeysOf, verifiedCertificate } from './trust.js';

/** What an enrollment starts with: the bank's keys, the writes that keep them, and a login. */
export interface EnrollmentStart {
  /** The keys to pin: followed from the held ones (docs/protocol.md §12), or listed at first. */
  keys: FollowedKeys;
  /** Store them with the certificate, in one write, once the certificate checks out. */
  pin: MetaOp[];
  /** The access token, for the caller to keep in memory only. */
  token: string;
}

/**
 * The first steps of every enrollment: the bank's keys — followed through the bank's signed
 * announcements from the keys this device already holds, never taken on trust again (refused
 * before signing in when they do not follow, or the app could not keep them) — then the login
 * (the email trimmed, as every sign-in does).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE, APP_BANK_KEYS_UNTRUSTED; BankRefusal (wrong
 *   email or password…)
 */
export async function startEnrollment(
  client: Pick<BankClient, 'keys' | 'login'>,
  login: { email: string; password: string },
  db: Pick<MetaDb, 'get'>,
): Promise<EnrollmentStart> {
  const keys = enrollmentKeys(await heldKeys(db), await client.keys());
  const pin = followOps(keys);
  const token = await client.login(login.email.trim(), login.password);
  return { keys, pin, token };
}

/** What is certified: a payer key with the allowance to reserve, or a payee's two keys. */
export type KeyToCertify =
  | { kind: 'payer'; secretKey: Uint8Array; limitMinor: bigint }
  | { kind: 'payee'; secretKey: Uint8Array; kemKey: Uint8Array };

/** The bank calls a certification makes. */
export type Certifier = Pick<BankClient, 'challenge'> &
  Partial<Pick<BankClient, 'enrollPayer' | 'enrollPayee'>>;

/**
 * Signs the bank's challenge with the key and asks for its certificate.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; BankRefusal (a key certified before, not
 *   enough money for the allowance…)
 */
export async function certify(
  client: Certifier,
  token: string,
  key: KeyToCertify,
): Promise<EnrolledCertificate> {
  const signKey = getPublicKey(key.secretKey);
  const kemKey = key.kind === 'payee' ? key.kemKey : new Uint8Array(0);
  const { challengeId, challenge } = await client.challenge(token);
  const signature = signEnrollment({ kind: key.kind, challenge, signKey, kemKey }, key.secretKey);
  if (key.kind === 'payer') {
    const body = { challengeId, signKey, signature, limitMinor: key.limitMinor };
    return client.enrollPayer!(token, body);
  }
  return client.enrollPayee!(token, { challengeId, signKey, kemKey, signature });
}

/**
 * The certificate the bank issued, decoded by `decode`, verified under `signKeys` (the keys
 * about to be pinned), and certifying `mine` — else nothing of it is kept.
 * @throws PROTO_* when it does not decode or verify; AppError APP_BANK_RESPONSE when it
 *   certifies other keys than this device's
 */
export function issuedCertificate<C extends PayerCertificate | PayeeCertificate>(
  bytes: Uint8Array,
  signKeys: readonly Uint8Array[],
  decode: (bytes: Uint8Array) => C,
  mine: { signKey: Uint8Array; kemKey?: Uint8Array },
): C {
  const cert = verifiedCertificate(bytes, bankKeysOf(signKeys), decode);
  const kemKey = cert.kind === 'payee' ? cert.kemKey : undefined;
  if (
    !equalBytes(cert.signKey, mine.signKey) ||
    (mine.kemKey && (!kemKey || !equalBytes(kemKey, mine.kemKey)))
  ) {
    throw new AppError('APP_BANK_RESPONSE', 'The bank certified other keys than this device’s.');
  }
  return cert;
}

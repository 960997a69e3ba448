/**
 * Pure rules of enrollment (DESIGN.md §3 "Enrollment", "Restore"; docs/protocol.md §4): the
 * single-use challenge, the keys a certificate may carry, its expiry, and the display name a payee
 * certificate shows. No pg, no fastify: time is a parameter.
 */
import { fromBase64Url, isValidPublicKey, toBase64Url } from '@offpay/crypto';
import { isDisplayText, LIMITS } from '@offpay/protocol';
import { bankFail } from '../../errors.js';
import { unixSeconds } from '../../time.js';

/** How long an enrollment challenge may be answered (DESIGN.md §3: 5 minutes). */
export const CHALLENGE_TTL_SECONDS = 300;

/**
 * How recent the sign-in behind a payer enrollment must be unless ENROLL_SIGN_IN_MAX_AGE_SECONDS
 * says otherwise (docs/threat-model.md §4.1 "Before the report"): a phone taken with the app open
 * cannot reserve a new allowance from the owner's balance later than this after the sign-in.
 */
export const DEFAULT_ENROLL_SIGN_IN_MAX_AGE_SECONDS = 300;

/**
 * Refuses a payer enrollment whose access token was issued by a sign-in more than `maxAgeSeconds`
 * ago. `signedInAt` is the token's `iat`, `now` the bank's clock, both Unix seconds; a token issued
 * at most `maxAgeSeconds` ago passes (the boundary included).
 * @throws BANK_SIGN_IN_REQUIRED
 */
export function requireRecentSignIn(signedInAt: number, now: number, maxAgeSeconds: number): void {
  if (now - signedInAt > maxAgeSeconds) {
    bankFail('BANK_SIGN_IN_REQUIRED', 'Sign in again to enroll a wallet');
  }
}

/** Largest Unix time on the wire (docs/protocol.md §1: times are uint32). */
const MAX_WIRE_TIME = 0xffffffff;

/** What the challenge store holds: the challenge bound to the login that asked for it. */
export interface ChallengeRecord {
  userId: string;
  challenge: Uint8Array;
  /** Bank clock, milliseconds: the store's TTL is a backstop, the bank's clock decides. */
  expiresAtMs: number;
}

/** Serialises a challenge record for the key-value store. */
export function encodeChallengeRecord(r: ChallengeRecord): string {
  return JSON.stringify({ u: r.userId, c: toBase64Url(r.challenge), e: r.expiresAtMs });
}

function parseChallengeRecord(value: string): ChallengeRecord | null {
  try {
    const v = JSON.parse(value) as { u?: unknown; c?: unknown; e?: unknown };
    if (typeof v.u !== 'string' || typeof v.c !== 'string' || typeof v.e !== 'number') return null;
    return { userId: v.u, challenge: fromBase64Url(v.c), expiresAtMs: v.e };
  } catch {
    return null;
  }
}

/**
 * The challenge a stored value grants to `userId` at `nowMs`. Unknown, used, expired and other
 * users' challenges are refused alike: the caller learns nothing about challenges it was not given.
 * @throws BANK_CHALLENGE_INVALID
 */
export function acceptChallenge(stored: string | null, userId: string, nowMs: number): Uint8Array {
  const record = stored === null ? null : parseChallengeRecord(stored);
  if (!record || record.userId !== userId || nowMs >= record.expiresAtMs) {
    bankFail(
      'BANK_CHALLENGE_INVALID',
      'This enrollment challenge is unknown, expired, already used or not yours; request a new one',
    );
  }
  return record.challenge;
}

/**
 * `expiresAt` of a certificate issued at `now` for `ttlSeconds`.
 * @throws RangeError when it would not fit the wire's 32-bit time (a misconfiguration).
 */
export function certificateExpiry(now: Date, ttlSeconds: number): number {
  const expiresAt = unixSeconds(now) + ttlSeconds;
  if (!Number.isSafeInteger(expiresAt) || expiresAt > MAX_WIRE_TIME)
    throw new RangeError('certificate expiry does not fit a protocol time');
  return expiresAt;
}

/** @throws BANK_PUBLIC_KEY_INVALID unless `key` is a 33-byte compressed P-256 point. */
export function requireCompressedKey(key: Uint8Array, field: 'signKey' | 'kemKey'): void {
  if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3) || !isValidPublicKey(key))
    bankFail('BANK_PUBLIC_KEY_INVALID', `${field} is not a compressed P-256 public key`, { field });
}

/**
 * The verified merchant name as a payee certificate may carry it: checked against the protocol's
 * display-text rule (docs/protocol.md §3) once more, as the last line before signing.
 * @throws BANK_DISPLAY_NAME_UNUSABLE
 */
export function certifiableDisplayName(name: string): string {
  if (!isDisplayText(name, LIMITS.displayNameBytes, 1)) {
    bankFail(
      'BANK_DISPLAY_NAME_UNUSABLE',
      `A display name must be 1 to ${LIMITS.displayNameBytes} UTF-8 bytes without control or format characters`,
      { limitBytes: LIMITS.displayNameBytes },
    );
  }
  return name;
}

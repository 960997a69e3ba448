/**
 * Pure rules of the certificate lifecycle (DESIGN.md §3 "Enrollment", "Expiry", "Restore";
 * docs/protocol.md §4, §11): enrollment challenges, expiry times, the reserve still held by a
 * payer certificate, when that reserve may return, and what revoking or closing does to a
 * certificate's status. No pg, no fastify: time is a parameter.
 */
import { isValidPublicKey, toBase64Url, fromBase64Url } from '@offpay/crypto';
import { GRACE_SECONDS, LIMITS } from '@offpay/protocol';
import { bankFail } from '../../errors.js';

/** How long an enrollment challenge may be answered (DESIGN.md §3: 5 minutes). */
export const CHALLENGE_TTL_SECONDS = 300;

/** Largest Unix time on the wire (docs/protocol.md §1: times are uint32). */
const MAX_WIRE_TIME = 0xffffffff;

/** Status of a certificate row (migrations/003_certificates.sql). */
export type CertificateStatus = 'active' | 'closed' | 'revoked';

/** Why a certificate was revoked (the `revocations.reason` column). */
export type RevocationReason = 'fraud' | 'closed' | 'compromised';

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

/** Unix seconds of a bank-clock date (whole seconds, as certificates carry them). */
export function unixSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
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

/**
 * The latest `expiresAt` whose reserve may be released at `now`. Settlement accepts a payment
 * while `floor(now) ≤ expiresAt + grace` (docs/protocol.md §6, bank clock), so the reserve returns
 * only from the first whole second after that window: the two can never overlap, whatever
 * sub-second part the bank clock has.
 */
export function releaseCutoff(now: Date): Date {
  return new Date((unixSeconds(now) - GRACE_SECONDS - 1) * 1000);
}

/** True when a payer certificate's reserve may return to the account at `now`. */
export function reserveReleasable(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= releaseCutoff(now).getTime();
}

/**
 * What is still held for a payer certificate: its limit less what settled against it (settled
 * totals past the limit were recovered from the payer's balance, never from the reserve).
 */
export function reserveRemaining(c: {
  limit: bigint;
  settled: bigint;
  releasedAt: Date | null;
}): bigint {
  if (c.releasedAt !== null) return 0n;
  const used = c.settled < 0n ? 0n : c.settled < c.limit ? c.settled : c.limit;
  return c.limit - used;
}

/**
 * Status after revoking for `reason`: closing never softens a revocation, and a fraud or
 * compromise revokes a certificate even after its holder closed it.
 */
export function statusAfter(
  current: CertificateStatus,
  reason: RevocationReason,
): CertificateStatus {
  if (reason === 'closed') return current === 'active' ? 'closed' : current;
  return 'revoked';
}

/**
 * A fraud revocation names its proof, and only a fraud revocation does (the
 * `revocations_fraud_check` constraint, checked here so a caller's mistake is a clear error).
 * @throws TypeError
 */
export function checkRevocationInput(reason: RevocationReason, fraudProofId?: bigint): void {
  if ((reason === 'fraud') !== (fraudProofId !== undefined))
    throw new TypeError(
      'a fraud revocation needs fraudProofId, and only a fraud revocation has one',
    );
}

/** @throws BANK_PUBLIC_KEY_INVALID unless `key` is a 33-byte compressed P-256 point. */
export function requireCompressedKey(key: Uint8Array, field: 'signKey' | 'kemKey'): void {
  if (key.length !== 33 || (key[0] !== 2 && key[0] !== 3) || !isValidPublicKey(key))
    bankFail('BANK_PUBLIC_KEY_INVALID', `${field} is not a compressed P-256 public key`, { field });
}

// The protocol's display-name rule (packages/protocol certificates.ts): no control, format or
// line/paragraph separator characters, 64 UTF-8 bytes at most.
const DISPLAY_NAME = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/**
 * The account's name as a payee certificate may carry it. Registration limits names to 64
 * characters, which can exceed the protocol's 64 bytes.
 * @throws BANK_DISPLAY_NAME_UNUSABLE
 */
export function certifiableDisplayName(name: string): string {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes < 1 || bytes > LIMITS.displayNameBytes || !DISPLAY_NAME.test(name)) {
    bankFail(
      'BANK_DISPLAY_NAME_UNUSABLE',
      `The account's display name must be 1 to ${LIMITS.displayNameBytes} UTF-8 bytes without control characters`,
      { limitBytes: LIMITS.displayNameBytes },
    );
  }
  return name;
}

/** The (kind, reference) of a payer certificate's reserve and release transfers. */
export function reserveReference(serial: number): string {
  return `payer:${serial}`;
}

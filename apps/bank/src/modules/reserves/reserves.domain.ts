/**
 * Pure rules of a payer certificate's reserve (docs/protocol.md §6 "grace", docs/operations.md):
 * what it still holds, and when it may return to the payer. No pg, no fastify: time is a parameter.
 */
import { GRACE_SECONDS } from '@offpay/protocol';
import { unixSeconds } from '../../time.js';

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

/** The (kind, reference) of a payer certificate's reserve and release transfers. */
export function reserveReference(serial: number): string {
  return `payer:${serial}`;
}

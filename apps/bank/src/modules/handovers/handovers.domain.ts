/**
 * Who may take over a till's ledger (docs/protocol.md §9.7): pure rules, no pg, no fastify; time
 * is a parameter.
 */
import { GRACE_SECONDS } from '@offpay/protocol';

/** Why a handover is refused (the `reason` of BANK_HANDOVER_REFUSED). */
export type HandoverRefusal = 'same-till' | 'other-account' | 'not-reported' | 'successor-inactive';

/** What the rule reads about a till. */
export interface TillState {
  serial: number;
  accountId: string;
  status: string;
  /** Unix seconds. */
  expiresAt: number;
  reportedAt: Date | null;
}

/**
 * Why `to` may not take over `from`'s ledger at `now` (Unix seconds), or null when it may: two
 * tills of one account, the old one reported lost or stolen, the new one active and unexpired.
 * The account is checked before the report, so a till learns nothing of another shop's tills.
 */
export function handoverRefusal(
  from: TillState,
  to: TillState,
  now: number,
): HandoverRefusal | null {
  if (from.serial === to.serial) return 'same-till';
  if (from.accountId !== to.accountId) return 'other-account';
  if (from.reportedAt === null) return 'not-reported';
  if (to.status !== 'active' || now > to.expiresAt) return 'successor-inactive';
  return null;
}

/**
 * Whether a handed-over ledger's batches may be signed by its successor at `now`: the successor
 * is not itself revoked and not past expiry + grace (a closed till still settles, as its own
 * ledger does).
 */
export function successorMaySign(
  successor: { status: string; expiresAt: number },
  now: number,
): boolean {
  return successor.status !== 'revoked' && now <= successor.expiresAt + GRACE_SECONDS;
}

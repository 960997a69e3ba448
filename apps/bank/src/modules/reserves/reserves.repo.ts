/** SQL of the reserve-release job (DESIGN.md §3 "Expiry"). */
import type { Queryable } from '../../db/queryable.js';

/** A payer certificate whose reserve is due back, locked for this job. */
export interface ReleasableCertificate {
  serial: number;
  currency: string;
  limit: bigint;
  settled: bigint;
  customerAccountId: string;
  /** The owner's reserve account; null only if the ledger lost it (a defect the job reports). */
  reserveAccountId: string | null;
}

/**
 * Locks up to `limit` payer certificates that expired at or before `cutoff` and still hold their
 * reserve, oldest first. SKIP LOCKED: a certificate a settlement (or another instance's job) holds
 * is left for the next run instead of waited for. `skip` excludes serials that failed this run.
 */
export async function lockReleasable(
  tx: Queryable,
  q: { cutoff: Date; skip: readonly number[]; limit: number },
): Promise<ReleasableCertificate[]> {
  const rows = await tx.query<{
    serial: bigint;
    currency: string;
    limit_minor: bigint;
    settled_minor: bigint;
    account_id: string;
    reserve_account_id: string | null;
  }>(
    `SELECT p.serial, p.currency, p.limit_minor, p.settled_minor, p.account_id,
       r.id AS reserve_account_id
     FROM payer_certificates p
     JOIN accounts c ON c.id = p.account_id
     LEFT JOIN accounts r ON r.user_id = c.user_id AND r.kind = 'reserve' AND r.currency = p.currency
     WHERE p.reserve_released_at IS NULL AND p.expires_at <= $1 AND NOT (p.serial = ANY($2::bigint[]))
     ORDER BY p.expires_at, p.serial
     LIMIT $3
     FOR UPDATE OF p SKIP LOCKED`,
    [q.cutoff, q.skip.map(String), q.limit],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    currency: r.currency,
    limit: r.limit_minor,
    settled: r.settled_minor,
    customerAccountId: r.account_id,
    reserveAccountId: r.reserve_account_id,
  }));
}

/** Marks a certificate's reserve as returned (whatever remained of it, possibly nothing). */
export async function markReserveReleased(tx: Queryable, serial: number, at: Date): Promise<void> {
  await tx.query('UPDATE payer_certificates SET reserve_released_at = $2 WHERE serial = $1', [
    serial,
    at,
  ]);
}

/** SQL of the signed revocation lists (docs/protocol.md §11). */
import type { Queryable } from '../../db/queryable.js';

/** A stored, signed revocation list. */
export interface StoredRevocationList {
  seq: number;
  signed: Uint8Array;
}

/**
 * Serialises publishers of revocation lists until COMMIT, so two revocations committing at once
 * cannot both publish the same next sequence number (the first row may not exist yet, so a row
 * lock would not do).
 */
export async function lockRevocationLists(tx: Queryable): Promise<void> {
  await tx.query(
    "SELECT pg_advisory_xact_lock(hashtextextended('offpay/revocation-lists/' || current_schema(), 0))",
  );
}

/** The list with the highest sequence number; null before the first one. */
export async function latestRevocationList(q: Queryable): Promise<StoredRevocationList | null> {
  const rows = await q.query<{ seq: bigint; signed: Uint8Array }>(
    'SELECT seq, signed FROM revocation_lists ORDER BY seq DESC LIMIT 1',
  );
  const r = rows[0];
  return r ? { seq: Number(r.seq), signed: r.signed } : null;
}

/** Stores a newly signed list. */
export async function insertRevocationList(
  tx: Queryable,
  l: { seq: number; signed: Uint8Array; at: Date },
): Promise<void> {
  await tx.query('INSERT INTO revocation_lists (seq, signed, created_at) VALUES ($1, $2, $3)', [
    l.seq,
    l.signed,
    l.at,
  ]);
}

/**
 * Revoked payer serials that could still settle: certificates whose `expires_at` is after
 * `expiredBefore` (the bank refuses the rest by expiry anyway, so the list stays bounded).
 * Ascending, at most `limit`.
 */
export async function revokedPayerSerials(
  q: Queryable,
  expiredBefore: Date,
  limit: number,
): Promise<number[]> {
  const rows = await q.query<{ serial: bigint }>(
    `SELECT r.serial FROM revocations r JOIN payer_certificates p ON p.serial = r.serial
     WHERE p.expires_at > $1 ORDER BY r.serial LIMIT $2`,
    [expiredBefore, limit],
  );
  return rows.map((r) => Number(r.serial));
}

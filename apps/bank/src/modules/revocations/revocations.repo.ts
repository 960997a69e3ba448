/**
 * SQL of revocations (docs/protocol.md §11): locking a certificate for a status change, recording
 * its revocation once, and the signed revocation lists.
 */
import type { Queryable } from '../../db/queryable.js';
import type { CertificateStatus, RevocationReason } from './revocations.domain.js';

/** A certificate locked for a status change, with its owner. */
export interface LockedCertificate {
  kind: 'payer' | 'payee';
  serial: number;
  userId: string;
  status: CertificateStatus;
  closedAt: Date | null;
}

const LOCK_SQL = {
  payer: `SELECT p.serial, a.user_id, p.status, p.closed_at FROM payer_certificates p
          JOIN accounts a ON a.id = p.account_id WHERE p.serial = $1 FOR UPDATE OF p`,
  payee: `SELECT p.serial, a.user_id, p.status, p.closed_at FROM payee_certificates p
          JOIN accounts a ON a.id = p.account_id WHERE p.serial = $1 FOR UPDATE OF p`,
} as const;

/** Locks the certificate (payer or payee) with this serial FOR UPDATE; null when none. */
export async function lockCertificate(
  tx: Queryable,
  serial: number,
): Promise<LockedCertificate | null> {
  for (const kind of ['payer', 'payee'] as const) {
    const rows = await tx.query<{
      serial: bigint;
      user_id: string;
      status: CertificateStatus;
      closed_at: Date | null;
    }>(LOCK_SQL[kind], [serial]);
    const r = rows[0];
    if (r) return { kind, serial, userId: r.user_id, status: r.status, closedAt: r.closed_at };
  }
  return null;
}

/** Sets a certificate's status and the time it stopped being active. */
export async function updateCertificateStatus(
  tx: Queryable,
  c: { kind: 'payer' | 'payee'; serial: number; status: CertificateStatus; closedAt: Date },
): Promise<void> {
  const table = c.kind === 'payer' ? 'payer_certificates' : 'payee_certificates';
  await tx.query(`UPDATE ${table} SET status = $2, closed_at = $3 WHERE serial = $1`, [
    c.serial,
    c.status,
    c.closedAt,
  ]);
}

/**
 * Records a revocation once per serial; returns the reason on record (the earlier one when the
 * serial was revoked before) and whether this call recorded it.
 */
export async function insertRevocation(
  tx: Queryable,
  r: { serial: number; reason: RevocationReason; fraudProofId: bigint | null; at: Date },
): Promise<{ reason: RevocationReason; inserted: boolean }> {
  const inserted = await tx.query(
    `INSERT INTO revocations (serial, reason, fraud_proof_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (serial) DO NOTHING RETURNING seq`,
    [r.serial, r.reason, r.fraudProofId?.toString() ?? null, r.at],
  );
  if (inserted.length > 0) return { reason: r.reason, inserted: true };
  const rows = await tx.query<{ reason: RevocationReason }>(
    'SELECT reason FROM revocations WHERE serial = $1',
    [r.serial],
  );
  return { reason: (rows[0] as { reason: RevocationReason }).reason, inserted: false };
}

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

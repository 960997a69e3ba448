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
  /** When its device was first reported lost or stolen (compromised), or null. */
  reportedAt: Date | null;
}

const LOCK_SQL = {
  payer: `SELECT p.serial, a.user_id, p.status, p.closed_at, p.reported_at FROM payer_certificates p
          JOIN accounts a ON a.id = p.account_id WHERE p.serial = $1 FOR UPDATE OF p`,
  payee: `SELECT p.serial, a.user_id, p.status, p.closed_at, p.reported_at FROM payee_certificates p
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
      reported_at: Date | null;
    }>(LOCK_SQL[kind], [serial]);
    const r = rows[0];
    if (r) {
      const { user_id: userId, status, closed_at: closedAt, reported_at: reportedAt } = r;
      return { kind, serial, userId, status, closedAt, reportedAt };
    }
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
 * Marks what a close or a compromise report stops (docs/threat-model.md "Liability"), keeping the
 * first time of each: a payer certificate's recovery beyond the reserve ends (both), and the
 * report time is kept (a compromise only).
 */
export async function markStopped(
  tx: Queryable,
  c: { kind: 'payer' | 'payee'; serial: number; at: Date; compromised: boolean },
): Promise<void> {
  if (c.kind === 'payer') {
    await tx.query(
      `UPDATE payer_certificates SET recovery_ended_at = coalesce(recovery_ended_at, $2),
         reported_at = CASE WHEN $3 THEN coalesce(reported_at, $2) ELSE reported_at END
       WHERE serial = $1`,
      [c.serial, c.at, c.compromised],
    );
  } else if (c.compromised) {
    await tx.query(
      'UPDATE payee_certificates SET reported_at = coalesce(reported_at, $2) WHERE serial = $1',
      [c.serial, c.at],
    );
  }
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

/** One of a user's certificates, as GET /v1/certificates lists it. */
export interface OwnCertificateRow {
  kind: 'payer' | 'payee';
  serial: number;
  status: CertificateStatus;
  currency: string;
  limitMinor: bigint | null;
  displayName: string | null;
  issuedAt: Date;
  expiresAt: Date;
  closedAt: Date | null;
  reason: RevocationReason | null;
  reportedAt: Date | null;
  handedOverTo: number | null;
}

/** A user's payer and payee certificates, newest (highest serial) first, at most `limit`. */
export async function ownCertificates(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<OwnCertificateRow[]> {
  const rows = await q.query<{
    kind: 'payer' | 'payee';
    serial: bigint;
    status: CertificateStatus;
    currency: string;
    limit_minor: bigint | null;
    display_name: string | null;
    issued_at: Date;
    expires_at: Date;
    closed_at: Date | null;
    reason: RevocationReason | null;
    reported_at: Date | null;
    handed_over_to: bigint | null;
  }>(
    `SELECT c.*, r.reason, h.to_serial AS handed_over_to FROM (
       SELECT 'payer' AS kind, p.serial, p.status, p.currency, p.limit_minor, NULL::text AS display_name,
              p.issued_at, p.expires_at, p.closed_at, p.reported_at
       FROM payer_certificates p JOIN accounts a ON a.id = p.account_id WHERE a.user_id = $1
       UNION ALL
       SELECT 'payee', e.serial, e.status, e.currency, NULL::bigint, e.display_name,
              e.issued_at, e.expires_at, e.closed_at, e.reported_at
       FROM payee_certificates e JOIN accounts a ON a.id = e.account_id WHERE a.user_id = $1
     ) c
     LEFT JOIN revocations r ON r.serial = c.serial
     LEFT JOIN ledger_handovers h ON h.from_serial = c.serial
     ORDER BY c.serial DESC LIMIT $2`,
    [userId, limit],
  );
  return rows.map((r) => ({
    kind: r.kind,
    serial: Number(r.serial),
    status: r.status,
    currency: r.currency.trim(),
    limitMinor: r.limit_minor === null ? null : BigInt(r.limit_minor),
    displayName: r.display_name,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
    closedAt: r.closed_at,
    reason: r.reason,
    reportedAt: r.reported_at,
    handedOverTo: r.handed_over_to === null ? null : Number(r.handed_over_to),
  }));
}

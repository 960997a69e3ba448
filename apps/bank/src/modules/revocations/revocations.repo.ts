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

/** The latest revocation list signed and ready to serve (what the shared cache holds). */
export interface StoredRevocationList {
  seq: number;
  signed: Uint8Array;
  /** The oldest list a delta may start from. */
  deltasFrom: number;
  /** The highest `revocations.seq` this list has taken in. */
  throughRevocation: number;
}

/**
 * The latest list's row (migrations/014_revocation_deltas.sql): its number and issue time; its
 * signed bytes only for a list stored before migration 014 — newer lists are signed when read.
 */
export interface RevocationListRow {
  seq: number;
  issuedAt: Date;
  signed: Uint8Array | null;
  deltasFrom: number;
  throughRevocation: number;
}

/**
 * Serialises publishers of revocation lists until COMMIT, so two revocations committing at once
 * cannot both publish the same next sequence number (the first row may not exist yet, so a row
 * lock would not do). Revocations are inserted under it too, so `revocations.seq` grows in the
 * order lists take them in.
 */
export async function lockRevocationLists(tx: Queryable): Promise<void> {
  await tx.query(
    "SELECT pg_advisory_xact_lock(hashtextextended('offpay/revocation-lists/' || current_schema(), 0))",
  );
}

interface ListRow {
  seq: bigint;
  issued_at: Date;
  signed: Uint8Array | null;
  deltas_from: bigint;
  through_revocation: bigint;
}

const LIST_COLUMNS = 'l.seq, l.issued_at, l.signed, l.deltas_from, l.through_revocation';

function listRow(r: ListRow): RevocationListRow {
  return {
    seq: Number(r.seq),
    issuedAt: r.issued_at,
    signed: r.signed,
    deltasFrom: Number(r.deltas_from),
    throughRevocation: Number(r.through_revocation),
  };
}

/** The list with the highest sequence number; null before the first one. */
export async function latestRevocationList(q: Queryable): Promise<RevocationListRow | null> {
  const rows = await q.query<ListRow>(
    `SELECT ${LIST_COLUMNS} FROM revocation_lists l ORDER BY l.seq DESC LIMIT 1`,
  );
  return rows[0] ? listRow(rows[0]) : null;
}

/**
 * The latest list's row and, when it has no stored bytes, its serials ascending — in one
 * statement, so one snapshot: a publication commits its row and its entries together.
 */
export async function latestListSnapshot(
  q: Queryable,
): Promise<(RevocationListRow & { serials: number[] }) | null> {
  const rows = await q.query<ListRow & { serials: (bigint | string | number)[] | null }>(
    `SELECT ${LIST_COLUMNS}, CASE WHEN l.signed IS NULL THEN
       ARRAY(SELECT serial FROM revocation_list_entries ORDER BY serial) END AS serials
     FROM revocation_lists l ORDER BY l.seq DESC LIMIT 1`,
  );
  const r = rows[0];
  return r ? { ...listRow(r), serials: (r.serials ?? []).map(Number) } : null;
}

/** Records list `seq` (signed when read) and deletes the rows before it. */
export async function replaceRevocationList(
  tx: Queryable,
  l: { seq: number; issuedAt: Date; deltasFrom: number; throughRevocation: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO revocation_lists (seq, signed, created_at, issued_at, deltas_from, through_revocation)
     VALUES ($1, NULL, $2, $2, $3, $4)`,
    [l.seq, l.issuedAt, l.deltasFrom, l.throughRevocation],
  );
  await tx.query('DELETE FROM revocation_lists WHERE seq < $1', [l.seq]);
}

/** The highest `revocations.seq` so far (0 before the first revocation). */
export async function lastRevocationSeq(q: Queryable): Promise<number> {
  const rows = await q.query<{ seq: bigint | null }>('SELECT max(seq) AS seq FROM revocations');
  return Number(rows[0]?.seq ?? 0);
}

/**
 * Takes serials off the list (recorded as `removed` in list `seq`) whose certificate expired at
 * or before `expiredBefore` (expiry + grace passed: they can no longer settle). Returns how many.
 */
export async function removeExpiredEntries(
  tx: Queryable,
  seq: number,
  expiredBefore: Date,
): Promise<number> {
  const rows = await tx.query<{ n: bigint }>(
    `WITH gone AS (DELETE FROM revocation_list_entries WHERE expires_at <= $2 RETURNING serial),
     logged AS (INSERT INTO revocation_list_changes (list_seq, serial, change)
                SELECT $1, serial, 'removed' FROM gone RETURNING serial)
     SELECT count(*) AS n FROM logged`,
    [seq, expiredBefore],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Puts on the list (recorded as `added` in list `seq`) every payer serial revoked after
 * revocation `afterRevocation` whose certificate expires after `expiredBefore`. Returns how many.
 */
export async function addRevokedEntries(
  tx: Queryable,
  seq: number,
  afterRevocation: number,
  expiredBefore: Date,
): Promise<number> {
  const rows = await tx.query<{ n: bigint }>(
    `WITH fresh AS (
       INSERT INTO revocation_list_entries (serial, expires_at, added_seq)
       SELECT r.serial, p.expires_at, $1 FROM revocations r
       JOIN payer_certificates p ON p.serial = r.serial
       WHERE r.seq > $2 AND p.expires_at > $3
       ON CONFLICT (serial) DO NOTHING RETURNING serial),
     logged AS (INSERT INTO revocation_list_changes (list_seq, serial, change)
                SELECT $1, serial, 'added' FROM fresh RETURNING serial)
     SELECT count(*) AS n FROM logged`,
    [seq, afterRevocation, expiredBefore],
  );
  return Number(rows[0]?.n ?? 0);
}

/** How many serials the current list holds. */
export async function countListEntries(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: bigint }>('SELECT count(*) AS n FROM revocation_list_entries');
  return Number(rows[0]?.n ?? 0);
}

/** One recorded change of the list. */
export interface ListChange {
  listSeq: number;
  serial: number;
  change: 'added' | 'removed';
}

/**
 * The changes of lists `fromSeq + 1 … toSeq`, in list order, at most `limit` (the caller asks one
 * more than it can use to learn that there are too many).
 */
export async function listChanges(
  q: Queryable,
  fromSeq: number,
  toSeq: number,
  limit: number,
): Promise<ListChange[]> {
  const rows = await q.query<{ list_seq: bigint; serial: bigint; change: 'added' | 'removed' }>(
    `SELECT list_seq, serial, change FROM revocation_list_changes
     WHERE list_seq > $1 AND list_seq <= $2 ORDER BY list_seq, serial LIMIT $3`,
    [fromSeq, toSeq, limit],
  );
  return rows.map((r) => ({
    listSeq: Number(r.list_seq),
    serial: Number(r.serial),
    change: r.change,
  }));
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

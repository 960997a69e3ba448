/** SQL of the audit log. */
import type { Queryable } from '../../db/queryable.js';
import type { AuditRecord, AuditValue } from './audit.domain.js';

interface AuditRow {
  prev_hash: Uint8Array;
  entry_hash: Uint8Array;
  at: Date;
  actor: string;
  action: string;
  data: Record<string, AuditValue>;
}

// One writer at a time for the whole transaction: the chain has one head. Held until COMMIT.
const AUDIT_LOCK_SQL =
  "SELECT pg_advisory_xact_lock(hashtextextended('offpay/audit/' || current_schema(), 0))";

/** What {@link appendAuditRecord} writes: the entry and the bytes its hash is made of. */
export interface AuditAppend {
  at: Date;
  actor: string;
  action: string;
  data: Record<string, AuditValue>;
  /** The hash input before the previous hash: the label's length-prefixed bytes. */
  prefix: Uint8Array;
  /** The hash input after the previous hash: the entry's canonical JSON in UTF-8. */
  body: Uint8Array;
  /** The previous hash of the first entry. */
  genesis: Uint8Array;
}

/** Bytes as a SQL expression that cannot carry anything but these bytes. */
const bytesSql = (b: Uint8Array) => `decode('${Buffer.from(b).toString('hex')}', 'hex')`;
/** Text as a SQL expression, through hex: no quoting, so no injection whatever the text holds. */
const textSql = (t: string) => `convert_from(${bytesSql(Buffer.from(t, 'utf8'))}, 'UTF8')`;

/**
 * Locks the chain for this transaction (until COMMIT) and appends one record after its head, in
 * ONE round trip: two statements sent together, so Postgres runs the insert the moment the lock
 * is granted instead of answering and waiting for the next statement. The lock is then held for
 * the insert and the COMMIT only — what audited transactions wait for each other on
 * (docs/scaling.md). The insert is its own statement, so its snapshot sees every entry committed
 * before the lock was granted; Postgres reads the head and hashes `SHA-256(prefix ‖ head ‖ body)`
 * (auditEntryHash, which `AuditLog.verify()` recomputes). Every value goes in as hex, since a
 * script takes no parameters.
 */
export async function appendAuditRecord(tx: Queryable, r: AuditAppend): Promise<void> {
  if (Number.isNaN(r.at.getTime())) throw new RangeError('audit time is not a date');
  await tx.exec(
    `${AUDIT_LOCK_SQL};
     INSERT INTO audit_log (prev_hash, entry_hash, at, actor, action, data)
     SELECT h.prev, sha256(${bytesSql(r.prefix)} || h.prev || ${bytesSql(r.body)}),
            ${textSql(r.at.toISOString())}::timestamptz, ${textSql(r.actor)}, ${textSql(r.action)},
            ${textSql(JSON.stringify(r.data))}::jsonb
     FROM (SELECT coalesce((SELECT entry_hash FROM audit_log ORDER BY id DESC LIMIT 1),
                           ${bytesSql(r.genesis)}) AS prev) AS h`,
  );
}

/** Records in log order, `limit` at most, after id `afterId`. */
export async function listAuditRecords(
  q: Queryable,
  afterId = 0n,
  limit = 1000,
): Promise<(AuditRecord & { id: bigint })[]> {
  const rows = await q.query<AuditRow & { id: bigint }>(
    `SELECT id, prev_hash, entry_hash, at, actor, action, data FROM audit_log
     WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    prevHash: r.prev_hash,
    entryHash: r.entry_hash,
    at: r.at,
    actor: r.actor,
    action: r.action,
    data: r.data,
  }));
}

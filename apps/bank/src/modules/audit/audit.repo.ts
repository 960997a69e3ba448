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

/** Locks the chain for this transaction and returns the current head hash (null when empty). */
export async function lockAuditHead(tx: Queryable): Promise<Uint8Array | null> {
  await tx.query(AUDIT_LOCK_SQL);
  const rows = await tx.query<{ entry_hash: Uint8Array }>(
    'SELECT entry_hash FROM audit_log ORDER BY id DESC LIMIT 1',
  );
  return rows[0]?.entry_hash ?? null;
}

/** Appends one record. */
export async function insertAuditRecord(tx: Queryable, r: AuditRecord): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log (prev_hash, entry_hash, at, actor, action, data)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [r.prevHash, r.entryHash, r.at, r.actor, r.action, JSON.stringify(r.data)],
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

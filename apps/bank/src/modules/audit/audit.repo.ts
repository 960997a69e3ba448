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

/** Locks the chain for this transaction: held until COMMIT or ROLLBACK. */
export async function lockAuditChain(tx: Queryable): Promise<void> {
  await tx.query(AUDIT_LOCK_SQL);
}

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

/**
 * Appends one record after the current head in ONE statement, the head read and the entry hash
 * `SHA-256(prefix ‖ head ‖ body)` computed by Postgres — so the chain's lock is held one round
 * trip less. Call it under {@link lockAuditChain}, in a later statement than the lock (a
 * statement's snapshot predates a lock it waits for; a new statement sees every commit before the
 * lock was granted). Returns the hashes written, for the caller to check.
 */
export async function appendAuditRecord(
  tx: Queryable,
  r: AuditAppend,
): Promise<{ prevHash: Uint8Array; entryHash: Uint8Array }> {
  const rows = await tx.query<{ prev_hash: Uint8Array; entry_hash: Uint8Array }>(
    `INSERT INTO audit_log (prev_hash, entry_hash, at, actor, action, data)
     SELECT h.prev, sha256($1::bytea || h.prev || $2::bytea), $3::timestamptz, $4::text, $5::text,
            $6::jsonb
     FROM (SELECT coalesce((SELECT entry_hash FROM audit_log ORDER BY id DESC LIMIT 1),
                           $7::bytea) AS prev) AS h
     RETURNING prev_hash, entry_hash`,
    [r.prefix, r.body, r.at, r.actor, r.action, JSON.stringify(r.data), r.genesis],
  );
  const row = rows[0]!;
  return { prevHash: row.prev_hash, entryHash: row.entry_hash };
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

/** SQL of the audit log. */
import type { Queryable } from '../../db/queryable.js';
import type { AuditRecord, AuditValue, ChainMark } from './audit.domain.js';

interface AuditRow {
  chain: bigint | null;
  prev_hash: Uint8Array;
  entry_hash: Uint8Array;
  at: Date;
  actor: string;
  action: string;
  data: Record<string, AuditValue>;
}

// One writer at a time on the MAIN chain: it has one head. Held until COMMIT. Settlements append
// to their payee's chain instead, under the payee_heads row lock they hold anyway (no lock here).
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
     FROM (SELECT coalesce((SELECT entry_hash FROM audit_log WHERE chain IS NULL
                                   ORDER BY id DESC LIMIT 1),
                           ${bytesSql(r.genesis)}) AS prev) AS h`,
  );
}

/** A stored record with its id. */
export type StoredAuditRecord = AuditRecord & { id: bigint; chain: number | null };

const COLUMNS = 'id, chain, prev_hash, entry_hash, at, actor, action, data';

/** Records of every chain in log (id) order, `limit` at most, after id `afterId`. */
export async function listAuditRecords(
  q: Queryable,
  afterId = 0n,
  limit = 1000,
): Promise<StoredAuditRecord[]> {
  const rows = await q.query<AuditRow & { id: bigint }>(
    `SELECT ${COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map(toRecord);
}

/** Records of the main chain in order, `limit` at most, after id `afterId`. */
export async function listMainRecords(
  q: Queryable,
  afterId: bigint,
  limit = 1000,
): Promise<StoredAuditRecord[]> {
  const rows = await q.query<AuditRow & { id: bigint }>(
    `SELECT ${COLUMNS} FROM audit_log WHERE chain IS NULL AND id > $1 ORDER BY id LIMIT $2`,
    [afterId, limit],
  );
  return rows.map(toRecord);
}

/** Records of the payee chains, chain by chain and in order within each, after (chain, id). */
export async function listChainRecords(
  q: Queryable,
  after: { chain: number; id: bigint },
  limit = 1000,
): Promise<StoredAuditRecord[]> {
  const rows = await q.query<AuditRow & { id: bigint }>(
    `SELECT ${COLUMNS} FROM audit_log WHERE chain IS NOT NULL AND (chain, id) > ($1, $2)
     ORDER BY chain, id LIMIT $3`,
    [after.chain, after.id, limit],
  );
  return rows.map(toRecord);
}

/** Every payee chain's length and head, as the payee_heads rows hold them now. */
export async function payeeChainHeads(q: Queryable): Promise<ChainMark[]> {
  const rows = await q.query<{ payee_serial: bigint; audit_count: bigint; audit_head: Uint8Array }>(
    `SELECT payee_serial, audit_count, audit_head FROM payee_heads WHERE audit_count > 0
     ORDER BY payee_serial`,
  );
  return rows.map((r) => ({
    chain: Number(r.payee_serial),
    count: Number(r.audit_count),
    head: r.audit_head,
  }));
}

/** Payee chains whose length moved since the last anchor named them, `limit` at most. */
export async function unanchoredChains(q: Queryable, limit: number): Promise<ChainMark[]> {
  const rows = await q.query<{ payee_serial: bigint; audit_count: bigint; audit_head: Uint8Array }>(
    `SELECT h.payee_serial, h.audit_count, h.audit_head
     FROM payee_heads h LEFT JOIN audit_anchors a ON a.chain = h.payee_serial
     WHERE h.audit_count > coalesce(a.audit_count, 0)
     ORDER BY h.payee_serial LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    chain: Number(r.payee_serial),
    count: Number(r.audit_count),
    head: r.audit_head,
  }));
}

/** Records what an anchor named (never moving a chain's mark backwards). */
export async function markAnchored(tx: Queryable, marks: readonly ChainMark[]): Promise<void> {
  if (marks.length === 0) return;
  await tx.query(
    `INSERT INTO audit_anchors (chain, audit_count, audit_head)
     SELECT u.chain, u.n, decode(u.head, 'hex')
     FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS u(chain, n, head)
     ON CONFLICT (chain) DO UPDATE SET audit_count = excluded.audit_count,
                                       audit_head = excluded.audit_head
     WHERE audit_anchors.audit_count < excluded.audit_count`,
    [
      marks.map((m) => String(m.chain)),
      marks.map((m) => String(m.count)),
      marks.map((m) => Buffer.from(m.head).toString('hex')),
    ],
  );
}

function toRecord(r: AuditRow & { id: bigint }): StoredAuditRecord {
  return {
    id: r.id,
    chain: r.chain === null ? null : Number(r.chain),
    prevHash: r.prev_hash,
    entryHash: r.entry_hash,
    at: r.at,
    actor: r.actor,
    action: r.action,
    data: r.data,
  };
}

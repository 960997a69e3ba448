/** SQL of deposits and statement imports (migrations/008_deposits_payouts.sql). */
import type { Queryable } from '../../db/queryable.js';

/** A stored deposit. */
export interface DepositRow {
  id: bigint;
  reference: string;
  accountId: string;
  currency: string;
  amount: bigint;
  valueDate: string | null;
  description: string | null;
  importId: bigint | null;
  operatorId: string;
  createdAt: Date;
}

interface RawDeposit {
  id: bigint;
  reference: string;
  account_id: string;
  currency: string;
  amount: bigint;
  value_date: string | null;
  description: string | null;
  import_id: bigint | null;
  operator_id: string;
  created_at: Date;
}

const COLUMNS = `id, reference, account_id, currency, amount, to_char(value_date, 'YYYY-MM-DD') AS value_date,
  description, import_id, operator_id, created_at`;

function toRow(r: RawDeposit): DepositRow {
  return {
    id: r.id,
    reference: r.reference,
    accountId: r.account_id,
    currency: r.currency,
    amount: r.amount,
    valueDate: r.value_date,
    description: r.description,
    importId: r.import_id,
    operatorId: r.operator_id,
    createdAt: r.created_at,
  };
}

/** A customer account by id: its currency, or null when there is no such customer account. */
export async function customerAccountById(
  q: Queryable,
  accountId: string,
): Promise<{ id: string; currency: string } | null> {
  const rows = await q.query<{ id: string; currency: string }>(
    `SELECT id, currency FROM accounts WHERE id = $1 AND kind = 'customer'`,
    [accountId],
  );
  return rows[0] ?? null;
}

/** The customer account in `currency` of the user with `email`, or null. */
export async function customerAccountByEmail(
  q: Queryable,
  email: string,
  currency: string,
): Promise<string | null> {
  const rows = await q.query<{ id: string }>(
    `SELECT a.id FROM users u JOIN accounts a ON a.user_id = u.id
     WHERE u.email = $1 AND a.kind = 'customer' AND a.currency = $2`,
    [email, currency],
  );
  return rows[0]?.id ?? null;
}

/**
 * Records a deposit unless its reference is taken (then null). A concurrent insert of the same
 * reference waits for the first to commit or roll back (the unique index), so exactly one wins.
 */
export async function insertDeposit(
  tx: Queryable,
  d: {
    reference: string;
    accountId: string;
    currency: string;
    amount: bigint;
    valueDate: string | null;
    description: string | null;
    operatorId: string;
    reason: string;
    importId: bigint | null;
    at: Date;
  },
): Promise<DepositRow | null> {
  const rows = await tx.query<RawDeposit>(
    `INSERT INTO deposits (reference, account_id, currency, amount, value_date, description,
       operator_id, reason, import_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (reference) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      d.reference,
      d.accountId,
      d.currency,
      d.amount.toString(),
      d.valueDate,
      d.description,
      d.operatorId,
      d.reason,
      d.importId?.toString() ?? null,
      d.at,
    ],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

/** The deposit with `reference`, or null. */
export async function findDeposit(q: Queryable, reference: string): Promise<DepositRow | null> {
  const rows = await q.query<RawDeposit>(`SELECT ${COLUMNS} FROM deposits WHERE reference = $1`, [
    reference,
  ]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** Deposits newest first, `limit` of them with an id below `before` (all when null). */
export async function listDeposits(
  q: Queryable,
  page: { before: bigint | null; limit: number },
): Promise<DepositRow[]> {
  const rows = await q.query<RawDeposit>(
    `SELECT ${COLUMNS} FROM deposits WHERE ($1::bigint IS NULL OR id < $1::bigint)
     ORDER BY id DESC LIMIT $2`,
    [page.before?.toString() ?? null, page.limit],
  );
  return rows.map(toRow);
}

/** Opens the record of a statement import (its counts are filled in by {@link closeImport}). */
export async function openImport(
  tx: Queryable,
  i: { operatorId: string; reason: string; sha256: Uint8Array; at: Date },
): Promise<bigint> {
  const rows = await tx.query<{ id: bigint }>(
    `INSERT INTO deposit_imports (operator_id, reason, file_sha256, rows_total, rows_applied,
       rows_already, rows_refused, created_at)
     VALUES ($1, $2, $3, 0, 0, 0, 0, $4) RETURNING id`,
    [i.operatorId, i.reason, i.sha256, i.at],
  );
  return (rows[0] as { id: bigint }).id;
}

/** Writes what became of an import's rows. */
export async function closeImport(
  tx: Queryable,
  id: bigint,
  c: { applied: number; already: number; refused: number },
): Promise<void> {
  await tx.query(
    `UPDATE deposit_imports SET rows_total = $2, rows_applied = $3, rows_already = $4,
       rows_refused = $5 WHERE id = $1`,
    [id.toString(), c.applied + c.already + c.refused, c.applied, c.already, c.refused],
  );
}

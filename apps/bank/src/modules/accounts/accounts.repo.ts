/** SQL of accounts, balances, transfers and postings. */
import type { Queryable } from '../../db/queryable.js';
import { named } from '../../db/statements.js';
import type { StatementParams } from '../../db/values.js';
import type { AccountKind, LockedAccount, TransferKind } from './accounts.domain.js';

/** An account with its balance. */
export interface AccountBalance {
  id: string;
  kind: AccountKind;
  currency: string;
  balance: bigint;
}

/** One posting of a user's history. */
export interface HistoryRow {
  postingId: bigint;
  transferId: bigint;
  kind: TransferKind;
  reference: string;
  accountId: string;
  currency: string;
  amount: bigint;
  at: Date;
}

/** Opens an account (its balance row is created by a trigger) and returns its id. */
export async function insertAccount(
  tx: Queryable,
  a: { userId: string | null; kind: AccountKind; currency: string },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    'INSERT INTO accounts (user_id, kind, currency) VALUES ($1, $2, $3) RETURNING id',
    [a.userId, a.kind, a.currency],
  );
  return (rows[0] as { id: string }).id;
}

/** The bank's account of `kind` in `currency`, created on first use (safe under concurrency). */
export async function ensureSystemAccount(
  tx: Queryable,
  kind: AccountKind,
  currency: string,
): Promise<string> {
  await tx.query(
    `INSERT INTO accounts (user_id, kind, currency) VALUES (NULL, $1, $2)
     ON CONFLICT (kind, currency) WHERE user_id IS NULL DO NOTHING`,
    [kind, currency],
  );
  const rows = await tx.query<{ id: string }>(
    'SELECT id FROM accounts WHERE user_id IS NULL AND kind = $1 AND currency = $2',
    [kind, currency],
  );
  return (rows[0] as { id: string }).id;
}

// Prepared once per connection (db/statements.ts): every settlement and transfer runs it.
const LOCK_ACCOUNTS = named(
  'lock_accounts',
  `SELECT a.id, a.user_id, a.kind, a.currency, b.balance, b.may_go_negative
     FROM account_balances b JOIN accounts a ON a.id = b.account_id
     WHERE b.account_id = ANY($1::uuid[])
     ORDER BY b.account_id
     FOR UPDATE OF b`,
);

/**
 * Locks the balance rows of `ids` (with their owners) FOR UPDATE in ascending id order — the same
 * order in every transaction, so two transfers over the same accounts queue instead of deadlocking.
 */
export async function lockAccounts(
  tx: Queryable,
  ids: readonly string[],
): Promise<(LockedAccount & { userId: string | null })[]> {
  const rows = await tx.query<{
    id: string;
    user_id: string | null;
    kind: AccountKind;
    currency: string;
    balance: bigint;
    may_go_negative: boolean;
  }>(LOCK_ACCOUNTS, [ids]);
  return rows.map((r) => ({
    id: r.id,
    // The owner, so the balance cache of GET /v1/accounts/me can be invalidated after COMMIT.
    userId: r.user_id,
    kind: r.kind,
    currency: r.currency,
    balance: r.balance,
    mayGoNegative: r.may_go_negative,
  }));
}

/** Records a transfer and its postings; balances follow by trigger, balance is checked at COMMIT. */
export async function insertTransfer(
  tx: Queryable,
  t: {
    kind: TransferKind;
    reference: string;
    currency: string;
    postings: ReadonlyMap<string, bigint>;
  },
): Promise<bigint> {
  const accountIds = [...t.postings.keys()].sort();
  // Amounts travel as decimal strings: exact in both drivers. One statement, one round trip: the
  // transfer row and its postings (the postings' foreign key is checked at the statement's end).
  const amounts = accountIds.map((a) => (t.postings.get(a) as bigint).toString());
  const rows = await tx.query<{ id: bigint }>(
    `WITH t AS (INSERT INTO transfers (kind, reference, currency) VALUES ($1, $2, $3) RETURNING id)
     INSERT INTO postings (transfer_id, account_id, currency, amount)
     SELECT t.id, u.a, $3, u.m FROM t, unnest($4::uuid[], $5::bigint[]) AS u(a, m)
     RETURNING transfer_id AS id`,
    [t.kind, t.reference, t.currency, accountIds, amounts],
  );
  const id = (rows[0] as { id: bigint }).id;
  return id;
}

/** A transfer checked by the accounts service (`prepare`), to be written by {@link transferWrites}. */
export interface TransferRows {
  kind: TransferKind;
  reference: string;
  currency: string;
  /** Netted amounts by account, none zero; they sum to zero. */
  postings: ReadonlyMap<string, bigint>;
}

/**
 * Data-modifying CTEs (`name AS (…),` each, to go inside another statement's `WITH`) that write
 * `transfers` and their postings exactly as {@link insertTransfer} writes one — for a caller that
 * writes several transfers and its own rows in ONE round trip (settlement's record statement).
 * Balances follow by trigger at the statement's end; every transfer's balance is checked at
 * COMMIT (migrations/001_ledger.sql). Empty when there is nothing to write.
 */
export function transferWrites(transfers: readonly TransferRows[], p: StatementParams): string {
  if (transfers.length === 0) return '';
  const posted = transfers.flatMap((t) =>
    [...t.postings.keys()].sort().map((accountId) => ({ t, accountId })),
  );
  return `transfer_rows AS (
       INSERT INTO transfers (kind, reference, currency)
       SELECT * FROM unnest(${p.add(transfers.map((t) => t.kind))}::text[],
                            ${p.add(transfers.map((t) => t.reference))}::text[],
                            ${p.add(transfers.map((t) => t.currency))}::text[])
       RETURNING id, kind, reference, currency),
     posting_rows AS (
       INSERT INTO postings (transfer_id, account_id, currency, amount)
       SELECT t.id, u.account_id, t.currency, u.amount
       FROM unnest(${p.add(posted.map((x) => x.t.kind))}::text[],
                   ${p.add(posted.map((x) => x.t.reference))}::text[],
                   ${p.add(posted.map((x) => x.accountId))}::uuid[],
                   ${p.add(posted.map((x) => (x.t.postings.get(x.accountId) as bigint).toString()))}::bigint[])
            AS u(kind, reference, account_id, amount)
       JOIN transfer_rows t ON t.kind = u.kind AND t.reference = u.reference),
     `;
}

/** A user's accounts with balances, by kind and currency, at most `limit`. */
export async function listUserAccounts(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<AccountBalance[]> {
  const rows = await q.query<{ id: string; kind: AccountKind; currency: string; balance: bigint }>(
    `SELECT a.id, a.kind, a.currency, b.balance
     FROM accounts a JOIN account_balances b ON b.account_id = a.id
     WHERE a.user_id = $1 ORDER BY a.kind, a.currency LIMIT $2`,
    [userId, limit],
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, currency: r.currency, balance: r.balance }));
}

/** A user's postings, newest first, `limit` of them before posting id `before` (a cursor). */
export async function listHistory(
  q: Queryable,
  userId: string,
  page: { limit: number; before: bigint | null },
): Promise<HistoryRow[]> {
  const rows = await q.query<{
    posting_id: bigint;
    transfer_id: bigint;
    kind: TransferKind;
    reference: string;
    account_id: string;
    currency: string;
    amount: bigint;
    created_at: Date;
  }>(
    `SELECT p.id AS posting_id, t.id AS transfer_id, t.kind, t.reference, p.account_id, p.currency, p.amount, t.created_at
     FROM postings p JOIN transfers t ON t.id = p.transfer_id JOIN accounts a ON a.id = p.account_id
     WHERE a.user_id = $1 AND ($2::bigint IS NULL OR p.id < $2::bigint)
     ORDER BY p.id DESC LIMIT $3`,
    [userId, page.before?.toString() ?? null, page.limit],
  );
  return rows.map((r) => ({
    postingId: r.posting_id,
    transferId: r.transfer_id,
    kind: r.kind,
    reference: r.reference,
    accountId: r.account_id,
    currency: r.currency,
    amount: r.amount,
    at: r.created_at,
  }));
}

/** The users owning `accountIds` (system accounts have none). */
export async function ownersOf(q: Queryable, accountIds: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ user_id: string }>(
    `SELECT DISTINCT user_id FROM accounts WHERE id = ANY($1::uuid[]) AND user_id IS NOT NULL`,
    [accountIds],
  );
  return rows.map((r) => r.user_id);
}

/**
 * SQL of the console's account views (docs/operations.md "The console"): accounts with their
 * owner, balance, reserve and payouts in flight; an account's postings with the other legs of
 * each transfer; and the rows of a statement.
 */
import type { Queryable } from '../../db/queryable.js';
import type { AccountKind, TransferKind } from '../accounts/accounts.domain.js';
import type { AccountHolder } from './console.domain.js';

/** An account as the console reads it. */
export interface ConsoleAccountRow {
  accountId: string;
  holder: AccountHolder;
  kind: AccountKind;
  userId: string | null;
  email: string | null;
  displayName: string | null;
  currency: string;
  balance: bigint;
  reserved: bigint;
  payoutsInFlight: bigint;
  createdAt: Date;
}

/** Another leg of a posting's transfer. */
export interface CounterpartyRow {
  accountId: string;
  kind: AccountKind;
  email: string | null;
  amount: string;
}

/** One posting of an account, with the other legs of its transfer. */
export interface PostingRow {
  postingId: bigint;
  transferId: bigint;
  kind: TransferKind;
  reference: string;
  amount: bigint;
  at: Date;
  counterparties: CounterpartyRow[];
}

interface AccountDbRow {
  id: string;
  kind: AccountKind;
  user_id: string | null;
  email: string | null;
  display_name: string | null;
  merchant: boolean;
  currency: string;
  balance: bigint;
  reserved: bigint | string;
  in_flight: bigint | string;
  created_at: Date;
}

// The holder: the bank's own accounts have no user; a user with a merchants row is a merchant.
// A customer account shows its owner's reserve (same currency) and payouts not yet paid or
// returned (the payouts_user_idx index finds them).
const ACCOUNTS = `
  SELECT a.id, a.kind, a.user_id, a.currency, a.created_at, b.balance, u.email,
         coalesce(m.display_name, u.display_name) AS display_name,
         (m.user_id IS NOT NULL) AS merchant,
         coalesce(rb.balance, 0) AS reserved,
         CASE WHEN a.kind = 'customer' THEN coalesce((
           SELECT sum(p.amount) FROM payouts p
           WHERE p.user_id = a.user_id AND p.currency = a.currency
             AND p.state IN ('requested', 'approved', 'in_flight')), 0)
         ELSE 0 END AS in_flight
  FROM accounts a
  JOIN account_balances b ON b.account_id = a.id
  LEFT JOIN users u ON u.id = a.user_id
  LEFT JOIN merchants m ON m.user_id = a.user_id
  LEFT JOIN accounts r
    ON a.kind = 'customer' AND r.user_id = a.user_id AND r.kind = 'reserve' AND r.currency = a.currency
  LEFT JOIN account_balances rb ON rb.account_id = r.id`;

const HOLDER = `CASE WHEN a.user_id IS NULL THEN 'system'
  WHEN m.user_id IS NOT NULL THEN 'merchant' ELSE 'customer' END`;

function accountRow(r: AccountDbRow): ConsoleAccountRow {
  return {
    accountId: r.id,
    holder: r.user_id === null ? 'system' : r.merchant ? 'merchant' : 'customer',
    kind: r.kind,
    userId: r.user_id,
    email: r.email,
    displayName: r.display_name,
    currency: r.currency,
    balance: r.balance,
    reserved: BigInt(r.reserved),
    payoutsInFlight: BigInt(r.in_flight),
    createdAt: r.created_at,
  };
}

/** `s` as a literal inside an ILIKE pattern (its % _ and \ escaped). */
export function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What the account list filters and pages by. */
export interface AccountFilter {
  query: string | null;
  holder: AccountHolder | null;
  after: string | null;
  limit: number;
}

/**
 * Customer, merchant and bank accounts by account id (users' reserve accounts show as the
 * `reserved` of their owner's account instead), at most `limit`.
 */
export async function listAccounts(q: Queryable, f: AccountFilter): Promise<ConsoleAccountRow[]> {
  const rows = await q.query<AccountDbRow>(
    `${ACCOUNTS}
     WHERE (a.kind <> 'reserve' OR a.user_id IS NULL)
       AND ($1::uuid IS NULL OR a.id > $1::uuid)
       AND ($2::text IS NULL OR ${HOLDER} = $2::text)
       AND ($3::text IS NULL OR u.email ILIKE '%' || $3::text || '%'
            OR m.display_name ILIKE '%' || $3::text || '%'
            OR u.display_name ILIKE '%' || $3::text || '%'
            OR a.id::text = lower($4::text))
     ORDER BY a.id
     LIMIT $5`,
    [f.after, f.holder, f.query === null ? null : likeLiteral(f.query), f.query, f.limit],
  );
  return rows.map(accountRow);
}

/** One account (of any kind) by id, or null. */
export async function findAccount(q: Queryable, id: string): Promise<ConsoleAccountRow | null> {
  const rows = await q.query<AccountDbRow>(`${ACCOUNTS} WHERE a.id = $1`, [id]);
  return rows[0] ? accountRow(rows[0]) : null;
}

interface PostingDbRow {
  id: bigint;
  transfer_id: bigint;
  kind: TransferKind;
  reference: string;
  amount: bigint;
  at: Date;
  counterparties: CounterpartyRow[] | string;
}

// The other legs of each posting's transfer, first 8 by posting id (postings_transfer_account_key
// finds them), with their owners' emails.
const COUNTERPARTIES = `
  coalesce((
    SELECT json_agg(json_build_object(
             'accountId', o.account_id, 'kind', oa.kind, 'email', ou.email,
             'amount', o.amount::text) ORDER BY o.id)
    FROM (SELECT o2.id, o2.account_id, o2.amount FROM postings o2
          WHERE o2.transfer_id = p.transfer_id AND o2.account_id <> p.account_id
          ORDER BY o2.id LIMIT 8) o
    JOIN accounts oa ON oa.id = o.account_id
    LEFT JOIN users ou ON ou.id = oa.user_id), '[]'::json) AS counterparties`;

function postingRow(r: PostingDbRow): PostingRow {
  return {
    postingId: r.id,
    transferId: r.transfer_id,
    kind: r.kind,
    reference: r.reference,
    amount: r.amount,
    at: r.at,
    counterparties:
      typeof r.counterparties === 'string'
        ? (JSON.parse(r.counterparties) as CounterpartyRow[])
        : r.counterparties,
  };
}

/** An account's postings older than `before` (all when null), newest first, at most `limit`. */
export async function recentPostings(
  q: Queryable,
  accountId: string,
  before: bigint | null,
  limit: number,
): Promise<PostingRow[]> {
  const rows = await q.query<PostingDbRow>(
    `SELECT p.id, p.transfer_id, t.kind, t.reference, p.amount, t.created_at AS at, ${COUNTERPARTIES}
     FROM postings p JOIN transfers t ON t.id = p.transfer_id
     WHERE p.account_id = $1 AND ($2::bigint IS NULL OR p.id < $2::bigint)
     ORDER BY p.id DESC
     LIMIT $3`,
    [accountId, before?.toString() ?? null, limit],
  );
  return rows.map(postingRow);
}

/** The balance of an account from its postings of transfers made before `at` (all when null). */
export async function balanceBefore(
  q: Queryable,
  accountId: string,
  at: Date | null,
): Promise<bigint> {
  const rows = await q.query<{ total: string }>(
    `SELECT coalesce(sum(p.amount), 0)::text AS total
     FROM postings p JOIN transfers t ON t.id = p.transfer_id
     WHERE p.account_id = $1 AND ($2::timestamptz IS NULL OR t.created_at < $2::timestamptz)`,
    [accountId, at],
  );
  return BigInt(rows[0]?.total ?? '0');
}

/**
 * An account's postings of transfers made in [from, to) (unbounded where null), oldest first, at
 * most `limit`.
 */
export async function postingsBetween(
  q: Queryable,
  accountId: string,
  range: { from: Date | null; to: Date | null },
  limit: number,
): Promise<PostingRow[]> {
  const rows = await q.query<PostingDbRow>(
    `SELECT p.id, p.transfer_id, t.kind, t.reference, p.amount, t.created_at AS at, ${COUNTERPARTIES}
     FROM postings p JOIN transfers t ON t.id = p.transfer_id
     WHERE p.account_id = $1
       AND ($2::timestamptz IS NULL OR t.created_at >= $2::timestamptz)
       AND ($3::timestamptz IS NULL OR t.created_at < $3::timestamptz)
     ORDER BY p.id
     LIMIT $4`,
    [accountId, range.from, range.to, limit],
  );
  return rows.map(postingRow);
}

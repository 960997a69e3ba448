/** SQL of payout accounts, payouts and payout batches (migrations/008_deposits_payouts.sql). */
import type { Queryable } from '../../db/queryable.js';
import type { PayoutState } from './payouts.domain.js';

/** A registered payout account. */
export interface PayoutAccountRow {
  id: string;
  userId: string;
  iban: string;
  holderName: string;
  createdAt: Date;
}

/** A payout with its payout account and requester. */
export interface PayoutRow {
  id: string;
  userId: string;
  email: string;
  accountId: string;
  payoutAccountId: string;
  iban: string;
  holderName: string;
  currency: string;
  amount: bigint;
  idempotencyKey: string;
  state: PayoutState;
  requestedAt: Date;
  decidedAt: Date | null;
  decisionReason: string | null;
  batchId: string | null;
  settledAt: Date | null;
  settledReason: string | null;
}

/** A stored batch. */
export interface BatchRow {
  id: string;
  messageId: string;
  currency: string;
  payouts: number;
  total: bigint;
  createdAt: Date;
}

const ACCOUNT_COLUMNS = 'id, user_id, iban, holder_name, created_at';

interface RawAccount {
  id: string;
  user_id: string;
  iban: string;
  holder_name: string;
  created_at: Date;
}

const toAccount = (r: RawAccount): PayoutAccountRow => ({
  id: r.id,
  userId: r.user_id,
  iban: r.iban,
  holderName: r.holder_name,
  createdAt: r.created_at,
});

/** Registers a payout account, or returns null when the user has this IBAN already. */
export async function insertPayoutAccount(
  tx: Queryable,
  a: { userId: string; iban: string; holderName: string; at: Date },
): Promise<PayoutAccountRow | null> {
  const rows = await tx.query<RawAccount>(
    `INSERT INTO payout_accounts (user_id, iban, holder_name, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id, iban) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [a.userId, a.iban, a.holderName, a.at],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/** A user's payout accounts, oldest first (at most `limit`). */
export async function listPayoutAccounts(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<PayoutAccountRow[]> {
  const rows = await q.query<RawAccount>(
    `SELECT ${ACCOUNT_COLUMNS} FROM payout_accounts WHERE user_id = $1 ORDER BY created_at, id LIMIT $2`,
    [userId, limit],
  );
  return rows.map(toAccount);
}

/** Serialises a user's registrations (the count limit) for the rest of `tx`. */
export async function lockUser(tx: Queryable, userId: string): Promise<void> {
  await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
}

/** The user's customer account in `currency`, or null. */
export async function customerAccount(
  q: Queryable,
  userId: string,
  currency: string,
): Promise<string | null> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM accounts WHERE user_id = $1 AND kind = 'customer' AND currency = $2`,
    [userId, currency],
  );
  return rows[0]?.id ?? null;
}

const PAYOUT_SELECT = `SELECT p.id, p.user_id, u.email, p.account_id, p.payout_account_id, pa.iban,
  pa.holder_name, p.currency, p.amount, p.idempotency_key, p.state, p.requested_at, p.decided_at,
  p.decision_reason, p.batch_id, p.settled_at, p.settled_reason
  FROM payouts p JOIN payout_accounts pa ON pa.id = p.payout_account_id JOIN users u ON u.id = p.user_id`;

interface RawPayout {
  id: string;
  user_id: string;
  email: string;
  account_id: string;
  payout_account_id: string;
  iban: string;
  holder_name: string;
  currency: string;
  amount: bigint;
  idempotency_key: string;
  state: PayoutState;
  requested_at: Date;
  decided_at: Date | null;
  decision_reason: string | null;
  batch_id: string | null;
  settled_at: Date | null;
  settled_reason: string | null;
}

const toPayout = (r: RawPayout): PayoutRow => ({
  id: r.id,
  userId: r.user_id,
  email: r.email,
  accountId: r.account_id,
  payoutAccountId: r.payout_account_id,
  iban: r.iban,
  holderName: r.holder_name,
  currency: r.currency,
  amount: r.amount,
  idempotencyKey: r.idempotency_key,
  state: r.state,
  requestedAt: r.requested_at,
  decidedAt: r.decided_at,
  decisionReason: r.decision_reason,
  batchId: r.batch_id,
  settledAt: r.settled_at,
  settledReason: r.settled_reason,
});

/** Records a requested payout, or returns null when the user already used `key`. */
export async function insertPayout(
  tx: Queryable,
  p: {
    userId: string;
    accountId: string;
    payoutAccountId: string;
    currency: string;
    amount: bigint;
    key: string;
    at: Date;
  },
): Promise<string | null> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO payouts (user_id, account_id, payout_account_id, currency, amount, idempotency_key,
       requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id`,
    [p.userId, p.accountId, p.payoutAccountId, p.currency, p.amount.toString(), p.key, p.at],
  );
  return rows[0]?.id ?? null;
}

/** One payout (locked FOR UPDATE of its row when `lock`), or null. */
export async function findPayout(
  q: Queryable,
  id: string,
  lock = false,
): Promise<PayoutRow | null> {
  const rows = await q.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.id = $1${lock ? ' FOR UPDATE OF p' : ''}`,
    [id],
  );
  return rows[0] ? toPayout(rows[0]) : null;
}

/** The user's payout under `key`, or null. */
export async function findByKey(
  q: Queryable,
  userId: string,
  key: string,
): Promise<PayoutRow | null> {
  const rows = await q.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.user_id = $1 AND p.idempotency_key = $2`,
    [userId, key],
  );
  return rows[0] ? toPayout(rows[0]) : null;
}

/** A user's payouts, newest first. */
export async function listUserPayouts(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<PayoutRow[]> {
  const rows = await q.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.user_id = $1 ORDER BY p.requested_at DESC, p.id LIMIT $2`,
    [userId, limit],
  );
  return rows.map(toPayout);
}

/** Payouts in `state`, oldest first. */
export async function listByState(
  q: Queryable,
  state: PayoutState,
  limit: number,
): Promise<PayoutRow[]> {
  const rows = await q.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.state = $1 ORDER BY p.requested_at, p.id LIMIT $2`,
    [state, limit],
  );
  return rows.map(toPayout);
}

/** Moves a payout from `from` to `to` with the facts of the step; false when it was not in `from`. */
export async function moveState(
  tx: Queryable,
  s: {
    id: string;
    from: PayoutState;
    to: PayoutState;
    at: Date;
    operatorId: string;
    reason: string;
  },
): Promise<boolean> {
  // A decision (approve, refuse) fills decided_*; a settlement (confirm, fail) fills settled_*.
  const decision = s.from === 'requested';
  const rows = await tx.query(
    decision
      ? `UPDATE payouts SET state = $3, decided_at = $4, decided_by = $5, decision_reason = $6
         WHERE id = $1 AND state = $2 RETURNING id`
      : `UPDATE payouts SET state = $3, settled_at = $4, settled_by = $5, settled_reason = $6
         WHERE id = $1 AND state = $2 RETURNING id`,
    [s.id, s.from, s.to, s.at, s.operatorId, s.reason],
  );
  return rows.length === 1;
}

/** The oldest approved payouts of `currency`, locked (at most `limit`). */
export async function lockApproved(
  tx: Queryable,
  currency: string,
  limit: number,
): Promise<PayoutRow[]> {
  const rows = await tx.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.state = 'approved' AND p.currency = $1
     ORDER BY p.requested_at, p.id LIMIT $2 FOR UPDATE OF p`,
    [currency, limit],
  );
  return rows.map(toPayout);
}

/** Records a batch and puts its payouts in flight. */
export async function insertBatch(
  tx: Queryable,
  b: {
    id: string;
    messageId: string;
    currency: string;
    payoutIds: readonly string[];
    total: bigint;
    operatorId: string;
    reason: string;
    at: Date;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO payout_batches (id, message_id, currency, payouts, total, operator_id, reason, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      b.id,
      b.messageId,
      b.currency,
      b.payoutIds.length,
      b.total.toString(),
      b.operatorId,
      b.reason,
      b.at,
    ],
  );
  await tx.query(
    `UPDATE payouts SET state = 'in_flight', batch_id = $1
     WHERE id = ANY($2::uuid[]) AND state = 'approved'`,
    [b.id, b.payoutIds],
  );
}

/** A batch, or null. */
export async function findBatch(q: Queryable, id: string): Promise<BatchRow | null> {
  const rows = await q.query<{
    id: string;
    message_id: string;
    currency: string;
    payouts: number;
    total: bigint;
    created_at: Date;
  }>(
    'SELECT id, message_id, currency, payouts, total, created_at FROM payout_batches WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r
    ? {
        id: r.id,
        messageId: r.message_id,
        currency: r.currency,
        payouts: r.payouts,
        total: r.total,
        createdAt: r.created_at,
      }
    : null;
}

/** The payouts of a batch, in the order they were requested. */
export async function batchPayouts(q: Queryable, batchId: string): Promise<PayoutRow[]> {
  const rows = await q.query<RawPayout>(
    `${PAYOUT_SELECT} WHERE p.batch_id = $1 ORDER BY p.requested_at, p.id`,
    [batchId],
  );
  return rows.map(toPayout);
}

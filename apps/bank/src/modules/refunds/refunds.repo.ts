/** SQL of refunds: the refundable payment (locked), its refunds, and the refund rows. */
import { fromHex, toHex } from '@offpay/crypto';
import type { Queryable } from '../../db/queryable.js';

/** A settled payment with the accounts a refund of it moves money between. */
export interface RefundablePaymentRow {
  paymentId: string;
  currency: string;
  amount: bigint;
  /** The merchant's account the payment settled to. */
  payeeAccountId: string;
  payeeUserId: string;
  /** The payer's account (its certificate's). */
  payerAccountId: string;
  payerUserId: string;
}

/** One stored refund. */
export interface RefundRow {
  id: string;
  paymentId: string;
  userId: string;
  currency: string;
  amount: bigint;
  reason: string;
  transferId: bigint;
  createdAt: Date;
}

/**
 * The settled payment `paymentId` with both parties' accounts, or null. With `lock`, its row is
 * locked FOR UPDATE: refunds of one payment then queue, so their sum is checked against what
 * committed before.
 */
export async function findSettledPayment(
  q: Queryable,
  paymentId: string,
  lock: boolean,
): Promise<RefundablePaymentRow | null> {
  const rows = await q.query<{
    currency: string;
    amount: bigint;
    payee_account: string;
    payee_user: string;
    payer_account: string;
    payer_user: string;
  }>(
    `SELECT p.currency, p.amount, pc.account_id AS payee_account, pa.user_id AS payee_user,
            c.account_id AS payer_account, ca.user_id AS payer_user
     FROM payments p
     JOIN payee_certificates pc ON pc.serial = p.payee_serial
     JOIN accounts pa ON pa.id = pc.account_id
     JOIN payer_certificates c ON c.serial = p.serial
     JOIN accounts ca ON ca.id = c.account_id
     WHERE p.payment_id = $1 AND p.status = 'settled'
     ${lock ? 'FOR UPDATE OF p' : ''}`,
    [fromHex(paymentId)],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    paymentId,
    currency: r.currency.trim(),
    amount: r.amount,
    payeeAccountId: r.payee_account,
    payeeUserId: r.payee_user,
    payerAccountId: r.payer_account,
    payerUserId: r.payer_user,
  };
}

const REFUND_COLUMNS = `id, payment_id, user_id, currency, amount, reason, transfer_id, created_at`;

type RefundSqlRow = {
  id: string;
  payment_id: Uint8Array;
  user_id: string;
  currency: string;
  amount: bigint;
  reason: string;
  transfer_id: bigint;
  created_at: Date;
};

function toRefund(r: RefundSqlRow): RefundRow {
  return {
    id: r.id,
    paymentId: toHex(r.payment_id),
    userId: r.user_id,
    currency: r.currency.trim(),
    amount: r.amount,
    reason: r.reason,
    transferId: r.transfer_id,
    createdAt: r.created_at,
  };
}

/** The refunds of a payment, oldest first (by their transfer: created_at may tie), at most `limit`. */
export async function listRefunds(
  q: Queryable,
  paymentId: string,
  limit: number,
): Promise<RefundRow[]> {
  const rows = await q.query<RefundSqlRow>(
    `SELECT ${REFUND_COLUMNS} FROM refunds WHERE payment_id = $1 ORDER BY transfer_id LIMIT $2`,
    [fromHex(paymentId), limit],
  );
  return rows.map(toRefund);
}

/** The sum of a payment's refunds. */
export async function refundedSum(q: Queryable, paymentId: string): Promise<bigint> {
  const rows = await q.query<{ sum: bigint }>(
    'SELECT COALESCE(sum(amount), 0)::bigint AS sum FROM refunds WHERE payment_id = $1',
    [fromHex(paymentId)],
  );
  return rows[0]?.sum ?? 0n;
}

/** The refund the merchant `userId` made under `key`, or null. */
export async function findRefundByKey(
  q: Queryable,
  userId: string,
  key: string,
): Promise<RefundRow | null> {
  const rows = await q.query<RefundSqlRow>(
    `SELECT ${REFUND_COLUMNS} FROM refunds WHERE user_id = $1 AND idempotency_key = $2`,
    [userId, key],
  );
  return rows[0] ? toRefund(rows[0]) : null;
}

/** Records a refund whose transfer is already written in `tx`. */
export async function insertRefund(
  tx: Queryable,
  r: Omit<RefundRow, 'createdAt'> & { key: string; at: Date },
): Promise<RefundRow> {
  const rows = await tx.query<RefundSqlRow>(
    `INSERT INTO refunds (id, payment_id, user_id, idempotency_key, currency, amount, reason,
                          transfer_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     RETURNING ${REFUND_COLUMNS}`,
    [
      r.id,
      fromHex(r.paymentId),
      r.userId,
      r.key,
      r.currency,
      r.amount,
      r.reason,
      r.transferId,
      r.at,
    ],
  );
  return toRefund(rows[0]!);
}

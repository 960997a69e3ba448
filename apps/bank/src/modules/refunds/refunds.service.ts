/**
 * Refunds (docs/operations.md "Refunds"): the merchant a payment settled to gives back all or
 * part of it, from its account to the payer's, in one transaction with the refund row and its
 * audit entry. Refunds of one payment queue on the payment's row lock, so their sum never passes
 * the settled amount; the (merchant, Idempotency-Key) pair is unique in Postgres, so a repeated
 * request answers the first refund and never moves money twice.
 */
import { randomUUID } from 'node:crypto';
import { REFUNDS_PER_PAYMENT_MAX } from '@offpay/api';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { WebhookOutbox } from '../webhooks/webhooks.ports.js';
import { checkRefundFits, isRepeatOf, refundable } from './refunds.domain.js';
import {
  findRefundByKey,
  findSettledPayment,
  insertRefund,
  listRefunds,
  refundedSum,
  type RefundablePaymentRow,
  type RefundRow,
} from './refunds.repo.js';

export type { RefundRow };

/** A settled payment and its refunds. */
export interface RefundablePayment {
  paymentId: string;
  currency: string;
  settled: bigint;
  refunded: bigint;
  refundable: bigint;
  refunds: RefundRow[];
}

/** What a merchant asks for. */
export interface RefundRequest {
  paymentId: string;
  amount: bigint;
  reason: string;
  key: string;
}

/** Refunds of settled payments. */
export interface RefundsService {
  /**
   * Refunds `amount` of a payment settled to one of `userId`'s payee certificates.
   * @throws BANK_PAYMENT_NOT_FOUND, BANK_REFUND_TO_SELF, BANK_REFUND_EXCEEDS_PAYMENT,
   * BANK_REFUND_KEY_REUSED, BANK_INSUFFICIENT_FUNDS
   */
  refund(
    userId: string,
    request: RefundRequest,
  ): Promise<{ refund: RefundRow; payment: RefundablePayment; replayed: boolean }>;
  /** A payment settled to or paid by `userId`, with its refunds. @throws BANK_PAYMENT_NOT_FOUND */
  payment(userId: string, paymentId: string): Promise<RefundablePayment>;
}

/** Dependencies of the refunds service. */
export interface RefundsDeps {
  db: Database;
  accounts: Pick<AccountsService, 'transfer'>;
  audit: AuditLog;
  now: () => Date;
  /** Writes the refund.created webhook event in the refund's transaction; absent → none. */
  outbox?: WebhookOutbox;
}

function paymentNotFound(paymentId: string): never {
  return bankFail(
    'BANK_PAYMENT_NOT_FOUND',
    'No payment with this id settled to one of your payee certificates',
    { paymentId },
  );
}

async function view(q: Queryable, p: RefundablePaymentRow): Promise<RefundablePayment> {
  const refunds = await listRefunds(q, p.paymentId, REFUNDS_PER_PAYMENT_MAX);
  const refunded = await refundedSum(q, p.paymentId);
  return {
    paymentId: p.paymentId,
    currency: p.currency,
    settled: p.amount,
    refunded,
    refundable: refundable(p.amount, refunded),
    refunds,
  };
}

/** A repeat of an earlier refund under the same key: its stored result, nothing moved. */
async function replay(q: Queryable, earlier: RefundRow, request: RefundRequest) {
  isRepeatOf(earlier, request);
  const payment = await findSettledPayment(q, earlier.paymentId, false);
  if (!payment) return paymentNotFound(earlier.paymentId);
  return { refund: earlier, payment: await view(q, payment), replayed: true };
}

async function refundInTx(deps: RefundsDeps, tx: Queryable, userId: string, r: RefundRequest) {
  const earlier = await findRefundByKey(tx, userId, r.key);
  if (earlier) return replay(tx, earlier, r);
  const payment = await findSettledPayment(tx, r.paymentId, true);
  // Someone else's payment is as unknown as a payment that never settled.
  if (!payment || payment.payeeUserId !== userId) return paymentNotFound(r.paymentId);
  if (payment.payerAccountId === payment.payeeAccountId) {
    bankFail('BANK_REFUND_TO_SELF', 'This payment went from your own account to itself');
  }
  checkRefundFits(payment.amount, await refundedSum(tx, r.paymentId), r.amount);
  const id = randomUUID();
  const { transferId } = await deps.accounts.transfer(tx, {
    kind: 'refund',
    reference: `refund:${id}`,
    legs: [
      { accountId: payment.payeeAccountId, amount: -r.amount },
      { accountId: payment.payerAccountId, amount: r.amount },
    ],
  });
  const refund = await insertRefund(tx, {
    id,
    paymentId: r.paymentId,
    userId,
    key: r.key,
    currency: payment.currency,
    amount: r.amount,
    reason: r.reason,
    transferId,
    at: deps.now(),
  });
  await deps.audit.append(tx, {
    actor: `user:${userId}`,
    action: 'refund.created',
    data: {
      refundId: id,
      paymentId: r.paymentId,
      amountMinor: r.amount.toString(),
      currency: payment.currency,
      payerUserId: payment.payerUserId,
    },
  });
  await deps.outbox?.enqueue(tx, { userId }, 'refund.created', {
    refundId: id,
    paymentId: r.paymentId,
    amountMinor: r.amount.toString(),
    currency: payment.currency,
    reason: r.reason,
    createdAt: refund.createdAt.toISOString(),
  });
  return { refund, payment: await view(tx, payment), replayed: false };
}

/** Builds the refunds service. */
export function createRefundsService(deps: RefundsDeps): RefundsService {
  const { db } = deps;
  return {
    async refund(userId, request) {
      try {
        return await db.transaction((tx) => refundInTx(deps, tx, userId, request));
      } catch (err) {
        // The same key raced itself: the first committed; answer it (or refuse a different ask).
        if (!isUniqueViolation(err, 'refunds_user_key')) throw err;
        const earlier = await findRefundByKey(db, userId, request.key);
        if (!earlier) throw err;
        return replay(db, earlier, request);
      }
    },
    async payment(userId, paymentId) {
      const payment = await findSettledPayment(db, paymentId, false);
      if (!payment || (payment.payeeUserId !== userId && payment.payerUserId !== userId)) {
        return paymentNotFound(paymentId);
      }
      return view(db, payment);
    },
  };
}

/**
 * The refund rule (docs/operations.md "Refunds"), pure: a payment's refunds never add up to more
 * than its settled amount, and an idempotency key names one refund for good.
 */
import { bankFail } from '../../errors.js';

/** What remains refundable of a payment. */
export function refundable(settled: bigint, refunded: bigint): bigint {
  return settled > refunded ? settled - refunded : 0n;
}

/**
 * Checks that `amount` fits in what remains of the payment.
 * @throws BANK_REFUND_EXCEEDS_PAYMENT naming what remains
 */
export function checkRefundFits(settled: bigint, refunded: bigint, amount: bigint): void {
  const remains = refundable(settled, refunded);
  if (amount > remains) {
    bankFail(
      'BANK_REFUND_EXCEEDS_PAYMENT',
      `At most ${remains} minor units of this payment can still be refunded`,
      { refundableMinor: remains.toString() },
    );
  }
}

/** A refund already made under a key, as far as a repeat of it is concerned. */
export interface KeyedRefund {
  id: string;
  paymentId: string;
  amount: bigint;
}

/**
 * True when a request repeats `earlier` (same payment, same amount): it answers that refund
 * again. Anything else under the same key is refused.
 * @throws BANK_REFUND_KEY_REUSED
 */
export function isRepeatOf(
  earlier: KeyedRefund,
  request: { paymentId: string; amount: bigint },
): true {
  if (earlier.paymentId === request.paymentId && earlier.amount === request.amount) return true;
  return bankFail(
    'BANK_REFUND_KEY_REUSED',
    'This Idempotency-Key already made a refund of another payment or amount',
    { refundId: earlier.id },
  );
}

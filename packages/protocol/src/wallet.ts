/**
 * The payer's side of the chain (DESIGN.md §3): the state a wallet keeps under one certificate,
 * the next payment's fields, and the allowance left. A restored wallet never resumes this state;
 * it enrolls again (DESIGN.md §3 "Restore").
 */
import { getPublicKey, kid } from '@offpay/crypto';
import type { PayerCertificate } from './certificates.js';
import { fail } from './errors.js';
import { Money } from './money.js';
import { payerGenesis, signPayment, type Payment } from './payment.js';
import { checkPaymentRules } from './rules.js';

/** What a payer wallet remembers about its chain under one certificate. */
export interface PayerChainState {
  serial: number;
  /** Counter of the last payment made (0 before the first). */
  counter: number;
  /** paymentId of the last payment, or the payer genesis. */
  lastPaymentId: Uint8Array;
  /** Cumulative total spent so far. */
  spent: number;
}

/** The state of a fresh certificate. */
export function initialChainState(cert: PayerCertificate): PayerChainState {
  return { serial: cert.serial, counter: 0, lastPaymentId: payerGenesis(cert.serial), spent: 0 };
}

/** What is left to spend under a certificate. */
export function remainingAllowance(cert: PayerCertificate, state: PayerChainState): Money {
  return Money.of(cert.limit, cert.currency).minus(Money.of(state.spent, cert.currency));
}

/** What a payer needs from the request it answers. */
export interface PaymentOrder {
  amount: number;
  payeeKid: Uint8Array;
  payeeCurrency: string;
  requestId: Uint8Array;
  /** Device clock, Unix seconds. */
  now: number;
}

/**
 * Makes the next payment in the chain and the state after it. The wallet must persist the new
 * state before showing the payment, so a counter is never used twice.
 * @throws PROTO_AMOUNT_INVALID, PROTO_PAYMENT_OVER_LIMIT, PROTO_CERT_EXPIRED, PROTO_CURRENCY_MISMATCH,
 * PROTO_SCHEMA (state from another certificate or key)
 */
export function createPayment(
  cert: PayerCertificate,
  state: PayerChainState,
  payerSecretKey: Uint8Array,
  order: PaymentOrder,
): { payment: Payment; state: PayerChainState } {
  if (state.serial !== cert.serial)
    fail('PROTO_SCHEMA', 'chain state belongs to another certificate', { what: 'state' });
  const signKid = kid(getPublicKey(payerSecretKey));
  if (!kid(cert.signKey).every((b, i) => b === signKid[i])) {
    fail('PROTO_SCHEMA', 'the secret key does not match the certificate', {
      what: 'payerSecretKey',
    });
  }
  if (!Number.isSafeInteger(order.amount) || order.amount < 1) {
    fail('PROTO_AMOUNT_INVALID', 'the amount must be a whole number of minor units, at least 1', {
      amount: String(order.amount),
    });
  }
  const spent = Money.of(state.spent, cert.currency).plus(
    Money.of(order.amount, cert.currency),
  ).minor;
  const payment = signPayment(
    {
      serial: cert.serial,
      counter: state.counter + 1,
      prev: state.lastPaymentId,
      spent,
      amount: order.amount,
      payeeKid: order.payeeKid,
      requestId: order.requestId,
      createdAt: order.now,
    },
    cert,
    payerSecretKey,
  );
  // The wallet refuses what a receiver would refuse, before anything is shown.
  checkPaymentRules(payment, {
    payeeKid: order.payeeKid,
    currency: order.payeeCurrency,
    now: order.now,
    graceSeconds: 0,
  });
  return {
    payment,
    state: {
      serial: cert.serial,
      counter: payment.counter,
      lastPaymentId: payment.paymentId,
      spent,
    },
  };
}

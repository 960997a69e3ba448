/**
 * The rules a single payment must satisfy, in the normative order of docs/protocol.md §6, shared
 * by the receiver (device clock, no grace) and the bank (bank clock, grace). Checks that need a
 * ledger (duplicates, fraud) live in `receiver.ts` and in the bank.
 */
import { equalBytes } from '@offpay/crypto';
import { MAX_FUTURE_SKEW_SECONDS, SIGN_LABEL } from './constants.js';
import { verifyCertificate } from './certificates.js';
import { fail } from './errors.js';
import type { BankKeys } from './keyset.js';
import { payerGenesis, type Payment } from './payment.js';
import { requireSignature, type Verifier } from './signing.js';

/**
 * Steps 3–4 of docs/protocol.md §6: the payer certificate was issued by a pinned bank key, and
 * the payer signed the payment.
 * @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID
 */
export function verifyPaymentSignatures(p: Payment, bankKeys: BankKeys, verifier?: Verifier): void {
  verifyCertificate(p.payerCert, bankKeys, verifier);
  verifyPayerSignature(p, verifier);
}

/** Step 4 alone: the payer signed the payment. @throws PROTO_SIGNATURE_INVALID */
export function verifyPayerSignature(p: Payment, verifier?: Verifier): void {
  requireSignature(
    SIGN_LABEL.payment,
    p.tbs,
    p.signature,
    p.payerCert.signKey,
    'payment',
    verifier,
  );
}

/** Who checks a payment, and with which clock. */
export interface PaymentRuleContext {
  /** kid of the checking payee's signing key. */
  payeeKid: Uint8Array;
  /** Currency of the checking payee. */
  currency: string;
  /** Unix seconds of the clock that decides: the device's offline, the bank's at settlement. */
  now: number;
  /** Seconds past `expiresAt` still accepted: 0 on a device, GRACE_SECONDS at the bank. */
  graceSeconds: number;
  /** True when the serial is on the revocation list the checker holds (receivers only). */
  isRevoked?: (serial: number) => boolean;
}

/**
 * Steps 6–13 of docs/protocol.md §6 for one payment on its own.
 * @throws PROTO_CERT_REVOKED, PROTO_CERT_EXPIRED, PROTO_PAYMENT_FROM_FUTURE,
 * PROTO_PAYMENT_WRONG_PAYEE, PROTO_CURRENCY_MISMATCH, PROTO_AMOUNT_INVALID, PROTO_PAYMENT_BAD_PREV,
 * PROTO_PAYMENT_BAD_SPENT, PROTO_PAYMENT_OVER_LIMIT
 */
export function checkPaymentRules(p: Payment, ctx: PaymentRuleContext): void {
  const cert = p.payerCert;
  if (ctx.isRevoked?.(cert.serial)) {
    fail('PROTO_CERT_REVOKED', `payer certificate ${cert.serial} has been revoked`, {
      serial: cert.serial,
    });
  }
  if (ctx.now > cert.expiresAt + ctx.graceSeconds || p.createdAt > cert.expiresAt) {
    fail('PROTO_CERT_EXPIRED', `payer certificate ${cert.serial} expired at ${cert.expiresAt}`, {
      serial: cert.serial,
      expiresAt: cert.expiresAt,
    });
  }
  if (p.createdAt > ctx.now + MAX_FUTURE_SKEW_SECONDS) {
    fail('PROTO_PAYMENT_FROM_FUTURE', 'the payment is dated in the future', {
      createdAt: p.createdAt,
      now: ctx.now,
    });
  }
  if (!equalBytes(p.payeeKid, ctx.payeeKid)) {
    fail('PROTO_PAYMENT_WRONG_PAYEE', 'the payment is meant for another receiver');
  }
  if (cert.currency !== ctx.currency) {
    fail(
      'PROTO_CURRENCY_MISMATCH',
      `the payment is in ${cert.currency}, the receiver takes ${ctx.currency}`,
      {
        expected: ctx.currency,
        actual: cert.currency,
      },
    );
  }
  if (p.amount < 1)
    fail('PROTO_AMOUNT_INVALID', 'the amount must be at least 1 minor unit', { amount: p.amount });
  checkChainAlone(p);
  if (p.spent > cert.limit) {
    fail(
      'PROTO_PAYMENT_OVER_LIMIT',
      `the payer would have spent ${p.spent} of a ${cert.limit} limit`,
      {
        serial: String(cert.serial),
        limitMinor: String(cert.limit),
        spentMinor: String(p.spent),
      },
    );
  }
}

/** Chain rules one payment can break alone: its genesis link and its cumulative total. */
function checkChainAlone(p: Payment): void {
  const isGenesis = equalBytes(p.prev, payerGenesis(p.serial));
  if ((p.counter === 1) !== isGenesis) {
    fail(
      'PROTO_PAYMENT_BAD_PREV',
      p.counter === 1
        ? 'the first payment must link to the payer genesis'
        : 'only the first payment may link to the payer genesis',
      { counter: p.counter },
    );
  }
  if (p.spent < p.amount || (p.counter === 1 && p.spent !== p.amount)) {
    fail('PROTO_PAYMENT_BAD_SPENT', 'the cumulative total does not add up with the amount', {
      counter: p.counter,
      spent: p.spent,
      amount: p.amount,
    });
  }
}

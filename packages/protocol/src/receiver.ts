/**
 * The receiver's offline verdict on a sealed payment (DESIGN.md §4 "Offline checks by the
 * receiver", in the normative order of docs/protocol.md §6).
 */
import { equalBytes, toHex } from '@offpay/crypto';
import { fail } from './errors.js';
import { detectFraud, failWithFraud, makeFraudProof } from './fraud.js';
import type { BankKeys } from './keyset.js';
import { decodePayment, openPayment, type Payment } from './payment.js';
import { checkPaymentRules, verifyPaymentSignatures } from './rules.js';
import type { Verifier } from './signing.js';

/** The open request a payment must answer. */
export interface OpenRequest {
  requestId: Uint8Array;
  amount: number;
  expiresAt: number;
}

/** What the receiver holds while offline. */
export interface ReceiverContext {
  payee: { kid: Uint8Array; kemSecretKey: Uint8Array; currency: string };
  bankKeys: BankKeys;
  /** Device clock, Unix seconds (already checked against the last bank time seen). */
  now: number;
  isRevoked: (serial: number) => boolean;
  /** The request being paid; omitted when accepting a payment without one is the caller's policy. */
  request?: OpenRequest;
  /** Ledger index of an accepted payment with this id (hex), if any. */
  findAccepted: (paymentIdHex: string) => number | undefined;
  /** Earlier accepted payments under the same payer certificate serial. */
  paymentsBySerial: (serial: number) => Iterable<Payment>;
  /** The signature verifier (default noble's `verify`; the till passes WebCrypto's through `withNativeVerify`). */
  verifier?: Verifier;
}

/** An accepted payment and its wire bytes, ready to append to the ledger. */
export interface AcceptedPayment {
  payment: Payment;
  bytes: Uint8Array;
}

/**
 * Opens and checks a sealed payment. Returns it when it may be accepted; otherwise throws the
 * code of the first rule it breaks. A fraud error carries the proof (base64url) in its details.
 * @throws PROTO_TOO_LARGE, PROTO_SEAL_OPEN_FAILED, decoding codes, PROTO_UNKNOWN_ISSUER,
 * PROTO_SIGNATURE_INVALID, PROTO_PAYMENT_DUPLICATE, the rule codes of `checkPaymentRules`,
 * PROTO_FRAUD_*, PROTO_REQUEST_MISMATCH, PROTO_REQUEST_EXPIRED
 */
export function verifyPaymentOffline(sealed: Uint8Array, ctx: ReceiverContext): AcceptedPayment {
  return verifyOpenedPayment(openPayment(sealed, ctx.payee.kemSecretKey, ctx.payee.kid), ctx);
}

/**
 * The checks of {@link verifyPaymentOffline} after the seal was opened, for a caller that opened
 * it already (one HPKE open per payment: it is the costliest step on a device). `decoded` is
 * `decodePayment(bytes)` when the caller decoded it already (it is then not decoded again).
 * @throws the codes of verifyPaymentOffline after PROTO_SEAL_OPEN_FAILED
 */
export function verifyOpenedPayment(
  bytes: Uint8Array,
  ctx: ReceiverContext,
  decoded?: Payment,
): AcceptedPayment {
  const payment = decoded ?? decodePayment(bytes);
  verifyPaymentSignatures(payment, ctx.bankKeys, ctx.verifier);
  const id = toHex(payment.paymentId);
  const index = ctx.findAccepted(id);
  if (index !== undefined) {
    fail('PROTO_PAYMENT_DUPLICATE', `this payment was already accepted (ledger #${index})`, {
      paymentId: id,
      index,
    });
  }
  checkPaymentRules(payment, {
    payeeKid: ctx.payee.kid,
    currency: ctx.payee.currency,
    now: ctx.now,
    graceSeconds: 0,
    isRevoked: ctx.isRevoked,
  });
  for (const earlier of ctx.paymentsBySerial(payment.serial)) {
    // A proof needs both payments under one certificate (docs/protocol.md §8).
    if (!equalBytes(earlier.payerCert.tbs, payment.payerCert.tbs)) continue;
    if (detectFraud(earlier, payment)) failWithFraud(makeFraudProof(earlier, payment));
  }
  if (ctx.request) checkRequest(payment, ctx.request, ctx.now);
  return { payment, bytes };
}

function checkRequest(p: Payment, r: OpenRequest, now: number): void {
  if (!equalBytes(p.requestId, r.requestId) || p.amount !== r.amount) {
    fail('PROTO_REQUEST_MISMATCH', 'this payment does not answer the open request', {
      expectedAmount: r.amount,
      amount: p.amount,
    });
  }
  if (now > r.expiresAt)
    fail('PROTO_REQUEST_EXPIRED', 'the payment request expired', { expiresAt: r.expiresAt });
}

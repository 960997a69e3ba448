/**
 * Fraud proofs (DESIGN.md §3, docs/protocol.md §8): two validly signed payments under one payer
 * certificate that no honest wallet could have produced. Anyone holding the bank's public key can
 * check one.
 */
import { equalBytes, toBase64Url } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LIMITS, VERSION } from './constants.js';
import { fail, type ProtoErrorCode } from './errors.js';
import { decodeArray, requireVersion, expectArray } from './fields.js';
import type { BankKeys } from './keyset.js';
import { decodePayment, paymentValue, type Payment } from './payment.js';
import { verifyPaymentSignatures } from './rules.js';

/** The three kinds of provable cheating. */
export type FraudKind = 'equivocation' | 'fork' | 'understated';

/** The error code that reports each kind. */
export const FRAUD_CODE: Record<FraudKind, ProtoErrorCode> = {
  equivocation: 'PROTO_FRAUD_EQUIVOCATION',
  fork: 'PROTO_FRAUD_FORK',
  understated: 'PROTO_FRAUD_UNDERSTATED',
};

function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The fields of a payment that fraud detection reads (a settled-payment row is enough). */
export type ChainLink = Pick<
  Payment,
  'serial' | 'counter' | 'prev' | 'spent' | 'amount' | 'paymentId'
>;

/** Orders two payments canonically: by counter, then by paymentId bytes. */
function ordered<T extends ChainLink>(a: T, b: T): [T, T] {
  if (a.counter !== b.counter) return a.counter < b.counter ? [a, b] : [b, a];
  return compareIds(a.paymentId, b.paymentId) <= 0 ? [a, b] : [b, a];
}

/**
 * The kind of fraud two payments under one certificate prove, or `null` when they are
 * consistent. Payments with the same `paymentId` are one payment (a duplicate), never a fraud.
 *
 * With `i` the lower counter and `j` the higher (docs/protocol.md §8):
 * 1. equivocation: equal counters, different tbs;
 * 2. fork: the prev links disagree with the counters — `j = i + 1` but `prev_j ≠ id_i`, or one
 *    payment's prev is the other's id while their counters are not consecutive that way;
 * 3. understated: `spent_j − amount_j < spent_i`.
 */
export function detectFraud(a: ChainLink, b: ChainLink): FraudKind | null {
  if (a.serial !== b.serial || equalBytes(a.paymentId, b.paymentId)) return null;
  const [i, j] = ordered(a, b);
  if (i.counter === j.counter) return 'equivocation';
  if (j.counter === i.counter + 1 && !equalBytes(j.prev, i.paymentId)) return 'fork';
  if (j.counter !== i.counter + 1 && equalBytes(j.prev, i.paymentId)) return 'fork';
  if (equalBytes(i.prev, j.paymentId)) return 'fork';
  if (j.spent - j.amount < i.spent) return 'understated';
  return null;
}

/** A fraud proof: the two payments, in canonical order. */
export interface FraudProof {
  kind: FraudKind;
  first: Payment;
  second: Payment;
}

/** Builds the proof for two conflicting payments. @throws PROTO_FRAUD_PROOF_INVALID when they do not conflict. */
export function makeFraudProof(a: Payment, b: Payment): FraudProof {
  const kind = detectFraud(a, b);
  if (!kind) fail('PROTO_FRAUD_PROOF_INVALID', 'these payments do not prove fraud');
  const [first, second] = ordered(a, b);
  return { kind, first, second };
}

/** Wire bytes of a fraud proof: CBOR `[1, payment, payment]`. */
export function encodeFraudProof(proof: FraudProof): Uint8Array {
  return encodeCbor([VERSION, paymentValue(proof.first), paymentValue(proof.second)]);
}

/**
 * Parses and checks a fraud proof: both payments under one certificate issued by a pinned bank
 * key, both payer signatures valid, in canonical order, and actually conflicting.
 * @throws PROTO_FRAUD_PROOF_INVALID, PROTO_SIGNATURE_INVALID, PROTO_UNKNOWN_ISSUER, decoding codes
 */
export function verifyFraudProof(bytes: Uint8Array, bankKeys: BankKeys): FraudProof {
  const items = decodeArray(bytes, 'fraud proof', LIMITS.fraudProofBytes);
  requireVersion(items, 'fraud proof');
  expectArray(items, 'fraud proof', 3);
  const a = decodePayment(items[1] as CborValue);
  const b = decodePayment(items[2] as CborValue);
  if (!equalBytes(a.payerCert.tbs, b.payerCert.tbs)) {
    fail('PROTO_FRAUD_PROOF_INVALID', 'the two payments are under different certificates');
  }
  verifyPaymentSignatures(a, bankKeys);
  verifyPaymentSignatures(b, bankKeys);
  const proof = makeFraudProof(a, b);
  if (proof.first !== a)
    fail('PROTO_FRAUD_PROOF_INVALID', 'the payments are not in canonical order');
  return proof;
}

/**
 * Throws the fraud error for a proof, carrying the proof's bytes (base64url) so the caller can
 * keep it and hand it to the bank.
 */
export function failWithFraud(proof: FraudProof): never {
  return fail(
    FRAUD_CODE[proof.kind],
    `payer certificate ${proof.first.serial} cheated (${proof.kind})`,
    {
      serial: proof.first.serial,
      kind: proof.kind,
      proof: toBase64Url(encodeFraudProof(proof)),
    },
  );
}

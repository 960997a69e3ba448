/**
 * Receipts (docs/protocol.md §5.3): the payee's signed acknowledgement of a payment, naming where
 * it stands in the payee's ledger — the payer's proof that it paid.
 */
import { equalBytes, kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, SIGN_LABEL, VERSION } from './constants.js';
import { fail } from './errors.js';
import { bytes, decodeArray, expectArray, openTbs, time, uint } from './fields.js';
import type { PayeeCertificate } from './certificates.js';
import { readEnvelope, requireSignature, signTbs } from './signing.js';

/** Fields of a receipt. */
export interface ReceiptFields {
  payeeKid: Uint8Array;
  paymentId: Uint8Array;
  /** Ledger index of the entry. */
  index: number;
  entryHash: Uint8Array;
  /** Payee's clock, Unix seconds. */
  acceptedAt: number;
}

/** A decoded receipt with its signed bytes. */
export interface Receipt extends ReceiptFields {
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Signs a receipt with the payee's signing key. */
export function signReceipt(f: ReceiptFields, payeeSecretKey: Uint8Array): Receipt {
  const tbs = encodeCbor([VERSION, f.payeeKid, f.paymentId, f.index, f.entryHash, f.acceptedAt]);
  const body = openTbs(tbs, 'receipt', LIMITS.receiptBytes);
  return receiptFromBody(body, tbs, signTbs(SIGN_LABEL.receipt, tbs, payeeSecretKey));
}

function receiptFromBody(body: CborValue[], tbs: Uint8Array, signature: Uint8Array): Receipt {
  const it = expectArray(body, 'receipt', 6);
  return {
    payeeKid: bytes(it[1], 'receipt payeeKid', LEN.kid),
    paymentId: bytes(it[2], 'receipt paymentId', LEN.hash),
    index: uint(it[3], 'receipt index'),
    entryHash: bytes(it[4], 'receipt entryHash', LEN.hash),
    acceptedAt: time(it[5], 'receipt acceptedAt'),
    tbs,
    signature,
  };
}

/** Wire bytes: CBOR `[tbs, signature]`. */
export function encodeReceipt(r: Receipt): Uint8Array {
  return encodeCbor([r.tbs, r.signature]);
}

/** Parses a receipt without checking its signature. */
export function decodeReceipt(input: Uint8Array): Receipt {
  const value = decodeArray(input, 'receipt', LIMITS.receiptBytes);
  const { tbs, signature, body } = readEnvelope(value, 'receipt', 2, LIMITS.receiptBytes);
  return receiptFromBody(body, tbs, signature);
}

/**
 * Checks a receipt as the payer does: signed by the payee it paid, for the payment it made.
 * @throws PROTO_RECEIPT_MISMATCH, PROTO_SIGNATURE_INVALID
 */
export function verifyReceipt(
  r: Receipt,
  payeeCert: PayeeCertificate,
  paymentId: Uint8Array,
): void {
  if (!equalBytes(r.paymentId, paymentId) || !equalBytes(r.payeeKid, kid(payeeCert.signKey))) {
    fail('PROTO_RECEIPT_MISMATCH', 'this receipt is for another payment or another receiver');
  }
  requireSignature(SIGN_LABEL.receipt, r.tbs, r.signature, payeeCert.signKey, 'receipt');
}

/**
 * Payment requests (docs/protocol.md §5.1): the receiver asks for an amount; the request carries
 * the payee certificate so the payer sees the bank-verified display name and learns the key to
 * seal to.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, MAX_AMOUNT, SIGN_LABEL, VERSION } from './constants.js';
import {
  certificateValue,
  decodePayeeCertificate,
  verifyCertificate,
  type PayeeCertificate,
} from './certificates.js';
import { fail } from './errors.js';
import { bytes, decodeArray, displayText, expectArray, openTbs, time, uint } from './fields.js';
import type { BankKeys } from './keyset.js';
import { readEnvelope, requireSignature, signTbs } from './signing.js';

/** Fields of a payment request. */
export interface PaymentRequestFields {
  /** Amount in minor units of the payee certificate's currency. */
  amount: number;
  /** 16 random bytes naming this request. */
  requestId: Uint8Array;
  /** Unix seconds after which the request is void. */
  expiresAt: number;
  /** Free text for people, at most 64 UTF-8 bytes; may be empty. */
  memo: string;
}

/** A decoded payment request. */
export interface PaymentRequest extends PaymentRequestFields {
  payeeSerial: number;
  payeeCert: PayeeCertificate;
  /** kid of the payee's signing key: what the payment must name. */
  payeeKid: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Signs a request with the payee's signing key. */
export function signPaymentRequest(
  f: PaymentRequestFields,
  payeeCert: PayeeCertificate,
  payeeSecretKey: Uint8Array,
): PaymentRequest {
  const tbs = encodeCbor([VERSION, payeeCert.serial, f.amount, f.requestId, f.expiresAt, f.memo]);
  const body = openTbs(tbs, 'payment request', LIMITS.requestBytes);
  const signature = signTbs(SIGN_LABEL.paymentRequest, tbs, payeeSecretKey);
  return assemble(fieldsFromBody(body), tbs, signature, payeeCert);
}

type RequestBody = PaymentRequestFields & { payeeSerial: number };

function fieldsFromBody(body: CborValue[]): RequestBody {
  const it = expectArray(body, 'payment request', 6);
  return {
    payeeSerial: uint(it[1], 'payment request payeeSerial', 1),
    amount: uint(it[2], 'payment request amount', 0, MAX_AMOUNT),
    requestId: bytes(it[3], 'payment request requestId', LEN.requestId),
    expiresAt: time(it[4], 'payment request expiresAt'),
    memo: displayText(it[5], 'payment request memo', LIMITS.memoBytes, 0),
  };
}

function assemble(
  fields: RequestBody,
  tbs: Uint8Array,
  signature: Uint8Array,
  payeeCert: PayeeCertificate,
): PaymentRequest {
  if (fields.payeeSerial !== payeeCert.serial) {
    fail('PROTO_SCHEMA', 'payment request serial does not match its payee certificate', {
      what: 'payeeSerial',
    });
  }
  return {
    ...fields,
    payeeCert,
    payeeKid: kid(payeeCert.signKey),
    tbs,
    signature,
  };
}

/** Wire bytes: CBOR `[tbs, signature, payeeCertificate]`. */
export function encodePaymentRequest(r: PaymentRequest): Uint8Array {
  return encodeCbor([r.tbs, r.signature, certificateValue(r.payeeCert)]);
}

/** Parses a payment request without checking signatures. */
export function decodePaymentRequest(input: Uint8Array): PaymentRequest {
  const value = decodeArray(input, 'payment request', LIMITS.requestBytes);
  const { tbs, signature, body, rest } = readEnvelope(
    value,
    'payment request',
    3,
    LIMITS.requestBytes,
  );
  const fields = fieldsFromBody(body);
  return assemble(fields, tbs, signature, decodePayeeCertificate(rest[0] as CborValue));
}

/**
 * Checks a request as the payer does before paying: the payee certificate is the bank's and
 * current, the payee signed the request, the amount is positive and the request is still open.
 * @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID, PROTO_CERT_EXPIRED, PROTO_AMOUNT_INVALID,
 * PROTO_REQUEST_EXPIRED
 */
export function verifyPaymentRequest(r: PaymentRequest, bankKeys: BankKeys, now: number): void {
  verifyCertificate(r.payeeCert, bankKeys);
  requireSignature(
    SIGN_LABEL.paymentRequest,
    r.tbs,
    r.signature,
    r.payeeCert.signKey,
    'payment request',
  );
  if (now > r.payeeCert.expiresAt) {
    fail('PROTO_CERT_EXPIRED', 'the receiver certificate has expired', { serial: r.payeeSerial });
  }
  if (r.amount < 1)
    fail('PROTO_AMOUNT_INVALID', 'the requested amount must be at least 1 minor unit', {
      amount: r.amount,
    });
  if (now > r.expiresAt)
    fail('PROTO_REQUEST_EXPIRED', 'this payment request has expired', { expiresAt: r.expiresAt });
}

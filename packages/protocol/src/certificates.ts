/**
 * Payer and payee certificates (DESIGN.md §3 "Enrollment", docs/protocol.md §4), signed by the
 * bank under distinct labels and tagged with their kind, so one can never pass for the other.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { CERT_TYPE, LEN, LIMITS, MAX_AMOUNT, SIGN_LABEL, VERSION } from './constants.js';
import { fail } from './errors.js';
import {
  bytes,
  currency,
  decodeArray,
  displayText,
  expectArray,
  openTbs,
  publicKey,
  uint,
  time,
} from './fields.js';
import { issuerKey, type BankKeys } from './keyset.js';
import {
  type SigningKey,
  readEnvelope,
  requireSignature,
  signTbs,
  signerPublicKey,
  type Verifier,
} from './signing.js';

/** Fields of a payer certificate: small, no account id (the bank maps serial → account). */
export interface PayerCertFields {
  serial: number;
  signKey: Uint8Array;
  currency: string;
  expiresAt: number;
  limit: number;
}

/** Fields of a payee certificate; `displayName` is verified by the bank. */
export interface PayeeCertFields {
  serial: number;
  signKey: Uint8Array;
  kemKey: Uint8Array;
  currency: string;
  expiresAt: number;
  displayName: string;
}

interface Signed {
  issuerKid: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** A decoded payer certificate with the exact bytes the bank signed. */
export interface PayerCertificate extends PayerCertFields, Signed {
  kind: 'payer';
}

/** A decoded payee certificate with the exact bytes the bank signed. */
export interface PayeeCertificate extends PayeeCertFields, Signed {
  kind: 'payee';
}

const PAYER_ARITY = 8;
const PAYEE_ARITY = 9;

/** Issues a payer certificate: the bank signs its tbs with its signing key. */
export function issuePayerCertificate(
  fields: PayerCertFields,
  bankKey: SigningKey,
): PayerCertificate {
  const issuerKid = kid(signerPublicKey(bankKey));
  const tbs = encodeCbor([
    VERSION,
    CERT_TYPE.payer,
    issuerKid,
    fields.serial,
    fields.signKey,
    fields.currency,
    fields.expiresAt,
    fields.limit,
  ]);
  return payerFromBody(openPayerTbs(tbs), tbs, signTbs(SIGN_LABEL.payerCert, tbs, bankKey));
}

/** Issues a payee certificate. */
export function issuePayeeCertificate(
  fields: PayeeCertFields,
  bankKey: SigningKey,
): PayeeCertificate {
  const issuerKid = kid(signerPublicKey(bankKey));
  const tbs = encodeCbor([
    VERSION,
    CERT_TYPE.payee,
    issuerKid,
    fields.serial,
    fields.signKey,
    fields.kemKey,
    fields.currency,
    fields.expiresAt,
    fields.displayName,
  ]);
  return payeeFromBody(openPayeeTbs(tbs), tbs, signTbs(SIGN_LABEL.payeeCert, tbs, bankKey));
}

const openPayerTbs = (tbs: Uint8Array) =>
  openTbs(tbs, 'payer certificate', LIMITS.certificateBytes);
const openPayeeTbs = (tbs: Uint8Array) =>
  openTbs(tbs, 'payee certificate', LIMITS.certificateBytes);

/** The kind, read right after the version and before the arity (docs/protocol.md §4). */
function certItems(body: CborValue[], expected: 'payer' | 'payee'): CborValue[] {
  const what = `${expected} certificate`;
  const type = body[1];
  const other = expected === 'payer' ? CERT_TYPE.payee : CERT_TYPE.payer;
  if (type === other) {
    fail(
      'PROTO_CERT_WRONG_TYPE',
      `a ${expected === 'payer' ? 'payee' : 'payer'} certificate was given where a ${expected} certificate is required`,
      {
        expected,
      },
    );
  }
  if (type !== CERT_TYPE[expected])
    fail('PROTO_SCHEMA', `${what} type must be ${CERT_TYPE[expected]}`, { what });
  return expectArray(body, what, expected === 'payer' ? PAYER_ARITY : PAYEE_ARITY);
}

function payerFromBody(
  body: CborValue[],
  tbs: Uint8Array,
  signature: Uint8Array,
): PayerCertificate {
  const it = certItems(body, 'payer');
  return {
    kind: 'payer',
    issuerKid: bytes(it[2], 'payer certificate issuerKid', LEN.kid),
    serial: uint(it[3], 'payer certificate serial', 1),
    signKey: publicKey(it[4], 'payer certificate signKey'),
    currency: currency(it[5], 'payer certificate currency'),
    expiresAt: time(it[6], 'payer certificate expiresAt'),
    limit: uint(it[7], 'payer certificate limit', 1, MAX_AMOUNT),
    tbs,
    signature,
  };
}

function payeeFromBody(
  body: CborValue[],
  tbs: Uint8Array,
  signature: Uint8Array,
): PayeeCertificate {
  const it = certItems(body, 'payee');
  return {
    kind: 'payee',
    issuerKid: bytes(it[2], 'payee certificate issuerKid', LEN.kid),
    serial: uint(it[3], 'payee certificate serial', 1),
    signKey: publicKey(it[4], 'payee certificate signKey'),
    kemKey: publicKey(it[5], 'payee certificate kemKey'),
    currency: currency(it[6], 'payee certificate currency'),
    expiresAt: time(it[7], 'payee certificate expiresAt'),
    displayName: displayText(it[8], 'payee certificate displayName', LIMITS.displayNameBytes, 1),
    tbs,
    signature,
  };
}

/** The CBOR value of a certificate for nesting inside another message: `[tbs, signature]`. */
export function certificateValue(cert: PayerCertificate | PayeeCertificate): CborValue {
  return [cert.tbs, cert.signature];
}

/** A certificate's wire bytes: CBOR `[tbs, signature]`. */
export function encodeCertificate(cert: PayerCertificate | PayeeCertificate): Uint8Array {
  return encodeCbor(certificateValue(cert));
}

/** Parses a payer certificate (bytes or a nested CBOR value) without checking its signature. */
export function decodePayerCertificate(input: Uint8Array | CborValue): PayerCertificate {
  const value =
    input instanceof Uint8Array
      ? decodeArray(input, 'payer certificate', LIMITS.certificateBytes)
      : input;
  const { tbs, signature, body } = readEnvelope(
    value,
    'payer certificate',
    2,
    LIMITS.certificateBytes,
  );
  return payerFromBody(body, tbs, signature);
}

/** Parses a payee certificate (bytes or a nested CBOR value) without checking its signature. */
export function decodePayeeCertificate(input: Uint8Array | CborValue): PayeeCertificate {
  const value =
    input instanceof Uint8Array
      ? decodeArray(input, 'payee certificate', LIMITS.certificateBytes)
      : input;
  const { tbs, signature, body } = readEnvelope(
    value,
    'payee certificate',
    2,
    LIMITS.certificateBytes,
  );
  return payeeFromBody(body, tbs, signature);
}

/**
 * Checks that a certificate was issued by a pinned bank key.
 * @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID
 */
export function verifyCertificate(
  cert: PayerCertificate | PayeeCertificate,
  bankKeys: BankKeys,
  verifier?: Verifier,
): void {
  const key = issuerKey(bankKeys, cert.issuerKid);
  const label = cert.kind === 'payer' ? SIGN_LABEL.payerCert : SIGN_LABEL.payeeCert;
  requireSignature(label, cert.tbs, cert.signature, key, `${cert.kind} certificate`, verifier);
}

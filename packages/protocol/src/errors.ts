/**
 * Stable, documented error codes of protocol v1 (STYLE.md "Errors"). Every code has a line in
 * docs/errors.md; a test fails when one is missing. Codes are never renamed or reused.
 */

/** What each code means and what a client should do; the source of docs/errors.md. */
export const PROTO_ERRORS = {
  PROTO_TOO_LARGE:
    'Input is larger than the protocol allows for its kind (a message, a nested tbs, a file or a QR text). Do not retry the same bytes.',
  PROTO_CBOR_MALFORMED: 'Bytes are not well-formed CBOR (truncated, trailing bytes, bad lengths).',
  PROTO_CBOR_NONCANONICAL:
    'Well-formed CBOR that is not the deterministic encoding (RFC 8949 §4.2.1): an integer or length not in its shortest form.',
  PROTO_CBOR_FORBIDDEN:
    'CBOR uses something protocol v1 forbids: maps, tags, floats, simple values, indefinite lengths, integers past ±(2^53 − 1), nesting deeper than 8.',
  PROTO_VERSION_UNSUPPORTED:
    'The message carries a version (its first field, an unsigned integer) this implementation does not know.',
  PROTO_SCHEMA:
    'The message decodes but its fields have the wrong shape, type, length or range — including a first field that is not an unsigned integer version.',
  PROTO_SIGNATURE_INVALID:
    'A signature does not verify under the key it must verify under (details name which).',
  PROTO_UNKNOWN_ISSUER:
    'A certificate names a bank key (issuerKid) that is not pinned or announced.',
  PROTO_CERT_WRONG_TYPE:
    'A payer certificate was given where a payee certificate is required, or the reverse.',
  PROTO_CERT_EXPIRED:
    'The certificate had expired at the moment that counts (device clock offline, bank clock at settlement).',
  PROTO_CERT_REVOKED: 'The certificate is on the bank-signed revocation list.',
  PROTO_CURRENCY_MISMATCH: 'Amounts in different currencies were combined or compared.',
  PROTO_AMOUNT_INVALID:
    'An amount is 0 where at least 1 minor unit is needed (a payment, a request), or an amount entered or computed on a device is negative, fractional or past 2^53 − 1.',
  PROTO_REQUEST_EXPIRED: 'The payment request expired before the payment was made or checked.',
  PROTO_REQUEST_MISMATCH:
    'The payment does not answer the open request (request id or amount differ).',
  PROTO_PAYMENT_WRONG_PAYEE: 'The payment names another payee than the one checking it.',
  PROTO_PAYMENT_OVER_LIMIT: "The payer's cumulative spending would exceed its certificate limit.",
  PROTO_PAYMENT_BAD_PREV:
    'The payment breaks the payer chain on its own: counter 1 without the genesis prev, or a later counter with it.',
  PROTO_PAYMENT_BAD_SPENT:
    'The cumulative spent total is inconsistent with the amount (spent < amount, or counter 1 with spent ≠ amount).',
  PROTO_PAYMENT_FROM_FUTURE:
    'The payment is dated more than 300 seconds ahead of the checking clock.',
  PROTO_PAYMENT_DUPLICATE:
    'This payment (same paymentId) was already accepted; nothing new happens.',
  PROTO_FRAUD_EQUIVOCATION:
    'The payer signed two different payments with the same counter: a fraud proof.',
  PROTO_FRAUD_FORK: "The payer's prev links disagree with its counters: a fraud proof.",
  PROTO_FRAUD_UNDERSTATED:
    'The payer understated its cumulative spending across two payments: a fraud proof.',
  PROTO_FRAUD_PROOF_INVALID:
    'A claimed fraud proof does not prove fraud (same payment, different certificates, or no conflict).',
  PROTO_UNKNOWN_RECIPIENT_KEY:
    'Sealed bytes name a recipient KEM key (kid) the receiving party cannot open with: unknown, or a bank KEM key retired longer ago than it keeps accepting.',
  PROTO_SEAL_OPEN_FAILED:
    'Sealed bytes could not be opened: damaged, tampered, or sealed to someone else.',
  PROTO_LEDGER_BROKEN:
    'A ledger entry hash does not follow from its predecessor and payment: the ledger was altered.',
  PROTO_LEDGER_INDEX: 'Ledger entries are not numbered contiguously from the expected index.',
  PROTO_BATCH_HEAD_MISMATCH:
    "The batch's stated head or previous head does not match its entries' hash chain.",
  PROTO_BATCH_TOO_MANY_ENTRIES:
    'A settlement batch holds more entries than the limit; split the ledger into several batches.',
  PROTO_RECEIPT_MISMATCH: 'A receipt does not name the payment it should acknowledge.',
  PROTO_CLOCK_BEHIND: 'The device clock is earlier than a bank time already seen; fix the clock.',
  PROTO_QR_INVALID: 'QR text is not offpay QR text (prefix, base45 alphabet or length).',
  PROTO_QR_PART_MISMATCH:
    'An animated-QR part belongs to another sequence (total or checksum differ).',
  PROTO_QR_CHECKSUM: 'The reassembled animated-QR payload does not match its checksum.',
  PROTO_FILE_INVALID:
    'A file is not an offpay file (JSON shape, version, type, base64url data, readable fields).',
  PROTO_FILE_WRONG_TYPE: 'The file holds another kind of message than the one expected.',
} as const;

/** Every protocol error code. */
export type ProtoErrorCode = keyof typeof PROTO_ERRORS;

/** Details carried by each code; codes not listed carry free-form string/number details. */
export interface ProtoDetailsMap {
  PROTO_TOO_LARGE: { what: string; limit: number; actual: number };
  PROTO_SIGNATURE_INVALID: { what: string };
  PROTO_PAYMENT_DUPLICATE: { paymentId: string; index?: number };
  PROTO_PAYMENT_OVER_LIMIT: { serial: string; limitMinor: string; spentMinor: string };
  PROTO_BATCH_TOO_MANY_ENTRIES: { limit: number; actual: number };
}

type Details<C extends ProtoErrorCode> = C extends keyof ProtoDetailsMap
  ? ProtoDetailsMap[C]
  : Record<string, string | number | boolean | undefined>;

/** A protocol error: a stable `code`, a message for developers and typed `details`. */
export class ProtocolError<C extends ProtoErrorCode = ProtoErrorCode> extends Error {
  readonly code: C;
  readonly details: Details<C>;

  constructor(code: C, message: string, details?: Details<C>) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.details = (details ?? {}) as Details<C>;
  }
}

/** Throws a {@link ProtocolError}. */
export function fail<C extends ProtoErrorCode>(
  code: C,
  message: string,
  details?: Details<C>,
): never {
  throw new ProtocolError(code, message, details);
}

/**
 * True when `e` is an offpay error (any package) with the given code, or with any code when none
 * is given. Matches on the code, never with `instanceof` (two copies of a package break it).
 */
export function isAppError(
  e: unknown,
  code?: string,
): e is { code: string; message: string; details?: unknown } {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return (
    typeof c === 'string' && /^[A-Z]+_[A-Z0-9_]+$/.test(c) && (code === undefined || c === code)
  );
}

/**
 * Payments (DESIGN.md §3 "The payer's chain", docs/protocol.md §5.2): signed by the payer over a
 * tbs that names its certificate by serial; the certificate travels beside the tbs. The
 * `paymentId` hashes the tbs under the payment label and never the signature.
 */
import {
  concatBytes,
  i2osp,
  open,
  openAsync,
  seal,
  sealAsync,
  setupSealAsync,
  taggedHash,
} from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import {
  HASH_LABEL,
  LEN,
  LIMITS,
  MAX_AMOUNT,
  SEAL_LABEL,
  SIGN_LABEL,
  VERSION,
} from './constants.js';
import { decodePayerCertificate, certificateValue, type PayerCertificate } from './certificates.js';
import { fail } from './errors.js';
import { bytes, decodeArray, expectArray, openTbs, time, uint } from './fields.js';
import { labelOnce, messageId, readEnvelope, signTbs } from './signing.js';

/** The signed fields of a payment. */
export interface PaymentFields {
  /** Serial of the payer certificate this payment is made under. */
  serial: number;
  /** 1 for the first payment under the certificate, then +1 each time. */
  counter: number;
  /** `payerGenesis(serial)` for counter 1, else the paymentId of payment `counter − 1`. */
  prev: Uint8Array;
  /** Cumulative total of this and every earlier payment under the certificate. */
  spent: number;
  /** Amount in minor units of the certificate's currency. */
  amount: number;
  /** kid of the payee's signing key. */
  payeeKid: Uint8Array;
  /** The PaymentRequest this payment answers. */
  requestId: Uint8Array;
  /** Unix seconds, payer's clock. */
  createdAt: number;
}

/** A decoded payment: fields, certificate, the exact signed bytes and its id. */
export interface Payment extends PaymentFields {
  payerCert: PayerCertificate;
  tbs: Uint8Array;
  signature: Uint8Array;
  paymentId: Uint8Array;
}

const ARITY = 9;

/** Largest payment counter: 2^32 − 1 keeps the worst-case sealed payment within one QR code. */
export const MAX_COUNTER = 0xffffffff;

/** The `prev` of a payer's first payment: H(len ‖ "offpay/v1/payer-genesis" ‖ u64be(serial)). */
export function payerGenesis(serial: number): Uint8Array {
  return taggedHash(HASH_LABEL.payerGenesis, i2osp(serial, 8));
}

/** Encodes the tbs of a payment from its fields. */
export function paymentTbs(f: PaymentFields): Uint8Array {
  return encodeCbor([
    VERSION,
    f.serial,
    f.counter,
    f.prev,
    f.spent,
    f.amount,
    f.payeeKid,
    f.requestId,
    f.createdAt,
  ]);
}

function fieldsFromBody(body: CborValue[]): PaymentFields {
  const it = expectArray(body, 'payment', ARITY);
  return {
    serial: uint(it[1], 'payment serial', 1),
    counter: uint(it[2], 'payment counter', 1, MAX_COUNTER),
    prev: bytes(it[3], 'payment prev', LEN.hash),
    spent: uint(it[4], 'payment spent', 0, MAX_AMOUNT),
    amount: uint(it[5], 'payment amount', 0, MAX_AMOUNT),
    payeeKid: bytes(it[6], 'payment payeeKid', LEN.kid),
    requestId: bytes(it[7], 'payment requestId', LEN.requestId),
    createdAt: time(it[8], 'payment createdAt'),
  };
}

/**
 * Signs a payment under a payer certificate. The fields are validated by decoding the tbs they
 * produce, so a payment that could not be decoded is never signed.
 * @throws PROTO_SCHEMA when a field is out of range or the serial is not the certificate's.
 */
export function signPayment(
  fields: PaymentFields,
  payerCert: PayerCertificate,
  payerSecretKey: Uint8Array,
): Payment {
  const tbs = paymentTbs(fields);
  const body = openTbs(tbs, 'payment', LIMITS.paymentBytes);
  return assemble(
    fieldsFromBody(body),
    tbs,
    signTbs(SIGN_LABEL.payment, tbs, payerSecretKey),
    payerCert,
  );
}

function assemble(
  fields: PaymentFields,
  tbs: Uint8Array,
  signature: Uint8Array,
  payerCert: PayerCertificate,
): Payment {
  if (fields.serial !== payerCert.serial) {
    fail('PROTO_SCHEMA', 'payment serial does not match its payer certificate', {
      what: 'payment serial',
    });
  }
  return { ...fields, payerCert, tbs, signature, paymentId: messageId(SIGN_LABEL.payment, tbs) };
}

/** The CBOR value of a payment for nesting: `[tbs, signature, [certTbs, certSignature]]`. */
export function paymentValue(p: Payment): CborValue {
  return [p.tbs, p.signature, certificateValue(p.payerCert)];
}

/** A payment's wire bytes (what is sealed to the payee). */
export function encodePayment(p: Payment): Uint8Array {
  return encodeCbor(paymentValue(p));
}

/**
 * Parses a payment (bytes or a nested CBOR value) and computes its id. Checks structure only:
 * signatures and rules are checked by `checkPayment` and `verifyPaymentOffline`. Order
 * (docs/protocol.md §1 "Check order"): the envelope and the payment tbs's version, the envelope's
 * arity and signature, the payment fields, then the nested certificate, then its serial.
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_VERSION_UNSUPPORTED, PROTO_SCHEMA, PROTO_CERT_WRONG_TYPE
 */
export function decodePayment(input: Uint8Array | CborValue): Payment {
  const value =
    input instanceof Uint8Array ? decodeArray(input, 'payment', LIMITS.paymentBytes) : input;
  const { tbs, signature, body, rest } = readEnvelope(value, 'payment', 3, LIMITS.paymentBytes);
  const fields = fieldsFromBody(body);
  return assemble(fields, tbs, signature, decodePayerCertificate(rest[0] as CborValue));
}

/**
 * The id of a payment from its wire bytes, reading only the envelope: what a ledger integrity
 * check needs (docs/protocol.md §7). Field rules and signatures are the acceptance checks.
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_SCHEMA
 */
export function paymentIdOf(paymentBytes: Uint8Array): Uint8Array {
  const value = decodeArray(paymentBytes, 'payment', LIMITS.paymentBytes);
  return messageId(SIGN_LABEL.payment, readEnvelope(value, 'payment', 3, LIMITS.paymentBytes).tbs);
}

/** HPKE `info` for a payment sealed to a payee: len ‖ "offpay/v1/payment" ‖ payeeKid. */
export function paymentSealInfo(payeeKid: Uint8Array): Uint8Array {
  return concatBytes(labelOnce(SEAL_LABEL.payment), payeeKid);
}

/** Seals payment bytes to the payee's KEM key (DESIGN.md §4 "Sealing"). */
export function sealPayment(
  paymentBytes: Uint8Array,
  payeeKemKey: Uint8Array,
  payeeKid: Uint8Array,
): Uint8Array {
  return seal(payeeKemKey, paymentSealInfo(payeeKid), paymentBytes);
}

/**
 * {@link sealPayment} with the platform's native ECDH (WebCrypto) where it has P-256, else noble:
 * the same bytes on the wire, opened by either `openPayment`.
 */
export function sealPaymentAsync(
  paymentBytes: Uint8Array,
  payeeKemKey: Uint8Array,
  payeeKid: Uint8Array,
): Promise<Uint8Array> {
  return sealAsync(payeeKemKey, paymentSealInfo(payeeKid), paymentBytes);
}

/**
 * {@link sealPaymentAsync} in two steps, with the same bytes: the native key agreement first,
 * before the payment exists, then one synchronous seal of its bytes — for a wallet that signs the
 * next payment of its chain and stores it inside one IndexedDB transaction, where WebCrypto cannot
 * be awaited. The returned function seals once (a second call throws RangeError).
 * @throws CRYPTO_INVALID_PUBLIC_KEY when the payee's KEM key is not a valid point
 */
export async function paymentSealerAsync(
  payeeKemKey: Uint8Array,
  payeeKid: Uint8Array,
): Promise<(paymentBytes: Uint8Array) => Uint8Array> {
  const sealer = await setupSealAsync(payeeKemKey, paymentSealInfo(payeeKid));
  return (paymentBytes) => sealer.seal(paymentBytes);
}

function checkSealedSize(sealed: Uint8Array): void {
  const max = LIMITS.sealedPaymentAcceptBytes;
  if (sealed.length > max) {
    fail('PROTO_TOO_LARGE', `a sealed payment is at most ${max} bytes`, {
      what: 'sealed payment',
      limit: max,
      actual: sealed.length,
    });
  }
}

const SEAL_OPEN_FAILED =
  'this payment could not be opened: it is damaged, tampered or meant for someone else';

/**
 * {@link openPayment} with the platform's native ECDH (WebCrypto) where it has P-256, else noble.
 * @throws the codes of openPayment
 */
export async function openPaymentAsync(
  sealed: Uint8Array,
  payeeKemSecretKey: Uint8Array,
  payeeKid: Uint8Array,
): Promise<Uint8Array> {
  checkSealedSize(sealed);
  try {
    return await openAsync(payeeKemSecretKey, paymentSealInfo(payeeKid), sealed);
  } catch {
    return fail('PROTO_SEAL_OPEN_FAILED', SEAL_OPEN_FAILED);
  }
}

/**
 * Opens a sealed payment with the payee's KEM secret key, whatever carried it (one QR code, an
 * animated sequence or a file): docs/protocol.md §3.
 * @throws PROTO_TOO_LARGE beyond LIMITS.sealedPaymentAcceptBytes; PROTO_SEAL_OPEN_FAILED for bytes
 * that do not authenticate (damaged, tampered, or sealed to another payee).
 */
export function openPayment(
  sealed: Uint8Array,
  payeeKemSecretKey: Uint8Array,
  payeeKid: Uint8Array,
): Uint8Array {
  checkSealedSize(sealed);
  try {
    return open(payeeKemSecretKey, paymentSealInfo(payeeKid), sealed);
  } catch {
    return fail('PROTO_SEAL_OPEN_FAILED', SEAL_OPEN_FAILED);
  }
}

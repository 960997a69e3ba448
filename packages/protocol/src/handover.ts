/**
 * Ledger handovers (docs/protocol.md §9.7): when a till is reported lost or stolen, the merchant's
 * new till — enrolled by the same account — signs that the old till's ledger continues under its
 * own key from a given head. From then on the bank settles batches of the old ledger (the
 * existing §9 batch, `payeeKid` the old till's) only when the new till signed them, continuing
 * from that head. The stolen key settles nothing any more; the merchant loses nothing the old
 * till accepted.
 */
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, SIGN_LABEL, VERSION } from './constants.js';
import { bytes, decodeArray, expectArray, openTbs, uint } from './fields.js';
import type { LedgerHead } from './ledger.js';
import { readEnvelope, requireSignature, signTbs, type Verifier } from './signing.js';

/** A decoded ledger handover. */
export interface LedgerHandover {
  /** kid of the till reported compromised: the ledger being handed over. */
  fromPayeeKid: Uint8Array;
  /** kid of the new till, which signs the handover and every later batch of that ledger. */
  toPayeeKid: Uint8Array;
  /** Where the old ledger continues from: the head the merchant's backup was settled to. */
  from: LedgerHead;
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Builds and signs a handover with the new till's secret key. */
export function signLedgerHandover(
  input: { fromPayeeKid: Uint8Array; toPayeeKid: Uint8Array; from: LedgerHead },
  toSecretKey: Uint8Array,
): LedgerHandover {
  const tbs = encodeCbor([
    VERSION,
    input.fromPayeeKid,
    input.toPayeeKid,
    input.from.nextIndex,
    input.from.head,
  ]);
  const body = openTbs(tbs, 'ledger handover', LIMITS.ledgerHandoverBytes);
  return handoverFromBody(body, tbs, signTbs(SIGN_LABEL.ledgerHandover, tbs, toSecretKey));
}

// docs/protocol.md §9.7: [v, fromPayeeKid, toPayeeKid, fromIndex, fromHead].
function handoverFromBody(
  body: CborValue[],
  tbs: Uint8Array,
  signature: Uint8Array,
): LedgerHandover {
  const it = expectArray(body, 'ledger handover', 5);
  return {
    fromPayeeKid: bytes(it[1], 'ledger handover fromPayeeKid', LEN.kid),
    toPayeeKid: bytes(it[2], 'ledger handover toPayeeKid', LEN.kid),
    from: {
      nextIndex: uint(it[3], 'ledger handover fromIndex'),
      head: bytes(it[4], 'ledger handover fromHead', LEN.hash),
    },
    tbs,
    signature,
  };
}

/** A handover's wire bytes: CBOR `[tbs, signature]`. */
export function encodeLedgerHandover(h: LedgerHandover): Uint8Array {
  return encodeCbor([h.tbs, h.signature]);
}

/**
 * Parses a handover (structure only; see {@link verifyLedgerHandover}).
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_VERSION_UNSUPPORTED, PROTO_SCHEMA
 */
export function decodeLedgerHandover(input: Uint8Array): LedgerHandover {
  const value = decodeArray(input, 'ledger handover', LIMITS.ledgerHandoverBytes);
  const { tbs, signature, body } = readEnvelope(
    value,
    'ledger handover',
    2,
    LIMITS.ledgerHandoverBytes,
  );
  return handoverFromBody(body, tbs, signature);
}

/**
 * Checks the new till's signature over the handover (`toSignKey`: the key of the certificate
 * whose kid is `toPayeeKid`).
 * @throws PROTO_SIGNATURE_INVALID
 */
export function verifyLedgerHandover(
  h: LedgerHandover,
  toSignKey: Uint8Array,
  verifier?: Verifier,
): void {
  requireSignature(
    SIGN_LABEL.ledgerHandover,
    h.tbs,
    h.signature,
    toSignKey,
    'ledger handover',
    verifier,
  );
}

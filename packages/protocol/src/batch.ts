/**
 * Settlement batches (DESIGN.md §4–5, docs/protocol.md §9): a run of the payee's ledger, signed by
 * the payee and sealed to a bank KEM key. The payee's signature is the only authority settlement
 * needs, so anyone may carry a sealed batch to the bank.
 */
import { concatBytes, equalBytes, kid, labelBytes, open, seal, toHex } from '@offpay/crypto';
import { encodeCbor } from './cbor.js';
import { LEN, LIMITS, SEAL_LABEL, SIGN_LABEL, VERSION } from './constants.js';
import { fail } from './errors.js';
import { bytes, decodeArray, decodeTbs, expectArray, requireVersion, uint } from './fields.js';
import { ledgerEntryHash, type LedgerHead } from './ledger.js';
import { decodePayment, paymentValue, type Payment } from './payment.js';
import { messageId, readEnvelope, requireSignature, signTbs, type Verifier } from './signing.js';

/** A decoded settlement batch. `batchKey` is the bank's idempotency key for it. */
export interface SettlementBatch {
  payeeKid: Uint8Array;
  fromIndex: number;
  prevHead: Uint8Array;
  entries: Payment[];
  head: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
  batchKey: Uint8Array;
}

/** Builds and signs a batch of ledger entries continuing from `from`. */
export function signSettlementBatch(
  input: { payeeKid: Uint8Array; from: LedgerHead; payments: readonly Payment[] },
  payeeSecretKey: Uint8Array,
): SettlementBatch {
  let head = input.from.head;
  for (const p of input.payments) head = ledgerEntryHash(head, p.paymentId);
  const tbs = encodeCbor([
    VERSION,
    input.payeeKid,
    input.from.nextIndex,
    input.from.head,
    input.payments.map(paymentValue),
    head,
  ]);
  return decodeBatchTbs(tbs, signTbs(SIGN_LABEL.settlementBatch, tbs, payeeSecretKey));
}

function decodeBatchTbs(tbs: Uint8Array, signature: Uint8Array): SettlementBatch {
  const it = decodeTbs(tbs, 'settlement batch', LIMITS.sealedBatchBytes, 6);
  const list = expectArray(it[4], 'settlement batch entries');
  if (list.length > LIMITS.batchEntries) {
    fail('PROTO_BATCH_TOO_MANY_ENTRIES', `a batch holds at most ${LIMITS.batchEntries} entries`, {
      limit: LIMITS.batchEntries,
      actual: list.length,
    });
  }
  if (list.length === 0)
    fail('PROTO_SCHEMA', 'a settlement batch needs at least one entry', { what: 'entries' });
  return {
    payeeKid: bytes(it[1], 'settlement batch payeeKid', LEN.kid),
    fromIndex: uint(it[2], 'settlement batch fromIndex'),
    prevHead: bytes(it[3], 'settlement batch prevHead', LEN.hash),
    entries: list.map((e) => decodePayment(e)),
    head: bytes(it[5], 'settlement batch head', LEN.hash),
    tbs,
    signature,
    batchKey: messageId(SIGN_LABEL.settlementBatch, tbs),
  };
}

/** A batch's wire bytes: CBOR `[tbs, signature]`. */
export function encodeSettlementBatch(b: SettlementBatch): Uint8Array {
  return encodeCbor([b.tbs, b.signature]);
}

/** Parses a batch (structure only; see {@link verifySettlementBatch}). */
export function decodeSettlementBatch(bytesIn: Uint8Array): SettlementBatch {
  const value = decodeArray(bytesIn, 'settlement batch', LIMITS.sealedBatchBytes);
  const { tbs, signature } = readEnvelope(value, 'settlement batch', 2, LIMITS.sealedBatchBytes);
  return decodeBatchTbs(tbs, signature);
}

/**
 * Checks a batch's payee signature and that its head follows from `prevHead` and its entries'
 * ids. Continuity with the bank's stored head is the bank's check.
 * @throws PROTO_SIGNATURE_INVALID, PROTO_BATCH_HEAD_MISMATCH
 */
export function verifySettlementBatch(
  b: SettlementBatch,
  payeeSignKey: Uint8Array,
  verifier?: Verifier,
): void {
  requireSignature(
    SIGN_LABEL.settlementBatch,
    b.tbs,
    b.signature,
    payeeSignKey,
    'settlement batch',
    verifier,
  );
  let head = b.prevHead;
  for (const p of b.entries) head = ledgerEntryHash(head, p.paymentId);
  if (!equalBytes(head, b.head)) {
    fail(
      'PROTO_BATCH_HEAD_MISMATCH',
      "the batch head does not follow from its entries' hash chain",
    );
  }
}

/** HPKE `info` for a batch sealed to a bank KEM key: len ‖ "offpay/v1/settlement" ‖ kemKid. */
export function settlementSealInfo(bankKemKid: Uint8Array): Uint8Array {
  return concatBytes(labelBytes(SEAL_LABEL.settlement), bankKemKid);
}

/**
 * Seals batch bytes to a bank KEM key (33-byte compressed): CBOR `[1, kemKid, enc ‖ ciphertext]`,
 * the kid telling the bank which of its KEM keys opens it.
 */
export function sealSettlementBatch(batchBytes: Uint8Array, bankKemKey: Uint8Array): Uint8Array {
  const kemKid = kid(bankKemKey);
  return encodeCbor([VERSION, kemKid, seal(bankKemKey, settlementSealInfo(kemKid), batchBytes)]);
}

/** The parts of a sealed batch's wire form `[1, kemKid, sealed]`, and the HPKE info to open it. */
export interface SealedBatchParts {
  kemKid: Uint8Array;
  info: Uint8Array;
  sealed: Uint8Array;
}

/**
 * Reads a sealed batch's wire form without opening it, so a bank whose keys never leave their
 * keyring can open it there.
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_VERSION_UNSUPPORTED, PROTO_SCHEMA
 */
export function readSealedBatch(sealedBatch: Uint8Array): SealedBatchParts {
  const items = decodeArray(sealedBatch, 'sealed settlement batch', LIMITS.sealedBatchBytes + 128);
  requireVersion(items, 'sealed settlement batch');
  expectArray(items, 'sealed settlement batch', 3);
  const kemKid = bytes(items[1], 'sealed settlement batch kemKid', LEN.kid);
  return {
    kemKid,
    info: settlementSealInfo(kemKid),
    sealed: bytes(items[2], 'sealed settlement batch ciphertext'),
  };
}

/**
 * Opens a sealed batch with the bank KEM secret key its kid names.
 * @throws the codes of {@link readSealedBatch}, PROTO_UNKNOWN_RECIPIENT_KEY (no such KEM key),
 * PROTO_SEAL_OPEN_FAILED
 */
export function openSettlementBatch(
  sealedBatch: Uint8Array,
  kemSecretKeyFor: (kemKidHex: string) => Uint8Array | undefined,
): Uint8Array {
  const { kemKid, info, sealed } = readSealedBatch(sealedBatch);
  const secretKey = kemSecretKeyFor(toHex(kemKid));
  if (!secretKey) {
    fail('PROTO_UNKNOWN_RECIPIENT_KEY', `bank KEM key ${toHex(kemKid)} is not known`, {
      kemKid: toHex(kemKid),
    });
  }
  try {
    return open(secretKey, info, sealed);
  } catch {
    return fail(
      'PROTO_SEAL_OPEN_FAILED',
      'the settlement batch could not be opened: damaged or tampered',
    );
  }
}

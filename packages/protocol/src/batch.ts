/**
 * Settlement batches (DESIGN.md §4–5, docs/protocol.md §9): a run of the payee's ledger, signed by
 * the payee and sealed to a bank KEM key. The payee's signature is the only authority settlement
 * needs, so anyone may carry a sealed batch to the bank.
 */
import { concatBytes, equalBytes, kid, labelBytes, open, seal, toHex } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, MAX_AMOUNT, SEAL_LABEL, SIGN_LABEL, VERSION } from './constants.js';
import { fail, ProtocolError } from './errors.js';
import { bytes, decodeArray, expectArray, openTbs, requireVersion, uint } from './fields.js';
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

/**
 * One entry of a batch as the bank reads it (docs/protocol.md §9 "Entries"): its ledger index and
 * paymentId always, and either the decoded payment or the protocol error that refused it.
 */
export type BatchEntryReading =
  | { index: number; paymentId: Uint8Array; payment: Payment; refusal?: undefined }
  | { index: number; paymentId: Uint8Array; payment?: undefined; refusal: ProtocolError };

/** A batch whose structure is sound, each entry judged on its own: what the bank settles from. */
export interface SettlementBatchReading extends Omit<SettlementBatch, 'entries'> {
  entries: BatchEntryReading[];
}

/** What the batch signature and head check read: the chain of entry ids, not their content. */
export type BatchChain = Pick<SettlementBatch, 'tbs' | 'signature' | 'prevHead' | 'head'> & {
  entries: readonly { paymentId: Uint8Array }[];
};

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
  const body = openTbs(tbs, 'settlement batch', LIMITS.sealedBatchBytes);
  const signature = signTbs(SIGN_LABEL.settlementBatch, tbs, payeeSecretKey);
  return strict(batchFromBody(body, tbs, signature));
}

// docs/protocol.md §9: the batch's own fields in order; each entry only as far as its paymentId.
function batchFromBody(
  body: CborValue[],
  tbs: Uint8Array,
  signature: Uint8Array,
): SettlementBatchReading {
  const it = expectArray(body, 'settlement batch', 6);
  const payeeKid = bytes(it[1], 'settlement batch payeeKid', LEN.kid);
  const fromIndex = uint(it[2], 'settlement batch fromIndex');
  const prevHead = bytes(it[3], 'settlement batch prevHead', LEN.hash);
  const list = expectArray(it[4], 'settlement batch entries');
  if (list.length > LIMITS.batchEntries) {
    fail('PROTO_BATCH_TOO_MANY_ENTRIES', `a batch holds at most ${LIMITS.batchEntries} entries`, {
      limit: LIMITS.batchEntries,
      actual: list.length,
    });
  }
  if (list.length === 0)
    fail('PROTO_SCHEMA', 'a settlement batch needs at least one entry', { what: 'entries' });
  if (fromIndex > MAX_AMOUNT - (list.length - 1)) {
    fail('PROTO_SCHEMA', 'the entries of this batch would pass ledger index 2^53 - 1', {
      what: 'settlement batch fromIndex',
    });
  }
  const entries = list.map((value, i) => readEntry(value, fromIndex + i, i));
  return {
    payeeKid,
    fromIndex,
    prevHead,
    entries,
    head: bytes(it[5], 'settlement batch head', LEN.hash),
    tbs,
    signature,
    batchKey: messageId(SIGN_LABEL.settlementBatch, tbs),
  };
}

/**
 * An entry needs a paymentId for the head chain: an array whose first item is a payment tbs
 * within its bound. Without one the whole batch is refused; with one, a payment that does not
 * decode is that entry's refusal only.
 */
function readEntry(value: CborValue, index: number, position: number): BatchEntryReading {
  const what = `settlement batch entry ${position}`;
  const items = expectArray(value, what);
  const tbs = bytes(items[0], `${what} tbs`);
  if (tbs.length > LIMITS.paymentBytes) {
    fail('PROTO_TOO_LARGE', `${what}: a payment tbs is at most ${LIMITS.paymentBytes} bytes`, {
      what: `${what} tbs`,
      limit: LIMITS.paymentBytes,
      actual: tbs.length,
    });
  }
  const paymentId = messageId(SIGN_LABEL.payment, tbs);
  try {
    return { index, paymentId, payment: decodePayment(value) };
  } catch (e) {
    // Thrown by this package's own decoder, so the class is this module's: instanceof holds.
    if (e instanceof ProtocolError) return { index, paymentId, refusal: e as ProtocolError };
    throw e;
  }
}

/** The batch with every entry decoded, or the first entry's refusal thrown. */
function strict(reading: SettlementBatchReading): SettlementBatch {
  const entries = reading.entries.map((e) => {
    if (e.refusal) throw e.refusal;
    return e.payment;
  });
  return { ...reading, entries };
}

/** A batch's wire bytes: CBOR `[tbs, signature]`. */
export function encodeSettlementBatch(b: SettlementBatch): Uint8Array {
  return encodeCbor([b.tbs, b.signature]);
}

/**
 * Reads a batch as the bank settles it (docs/protocol.md §9): the batch's own structure is
 * checked whole — any fault refuses the batch — while each entry that has a paymentId is judged
 * on its own, a payment that does not decode becoming that entry's refusal. Signatures are not
 * checked (see {@link verifySettlementBatch}).
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_VERSION_UNSUPPORTED, PROTO_SCHEMA,
 * PROTO_BATCH_TOO_MANY_ENTRIES
 */
export function readSettlementBatch(bytesIn: Uint8Array): SettlementBatchReading {
  const value = decodeArray(bytesIn, 'settlement batch', LIMITS.sealedBatchBytes);
  const { tbs, signature, body } = readEnvelope(
    value,
    'settlement batch',
    2,
    LIMITS.sealedBatchBytes,
  );
  return batchFromBody(body, tbs, signature);
}

/**
 * Parses a batch with every entry decoded (structure only; see {@link verifySettlementBatch}).
 * @throws the codes of {@link readSettlementBatch}, then the first entry's decoding code
 */
export function decodeSettlementBatch(bytesIn: Uint8Array): SettlementBatch {
  return strict(readSettlementBatch(bytesIn));
}

/**
 * Checks a batch's payee signature and that its head follows from `prevHead` and its entries'
 * ids. Continuity with the bank's stored head is the bank's check.
 * @throws PROTO_SIGNATURE_INVALID, PROTO_BATCH_HEAD_MISMATCH
 */
export function verifySettlementBatch(
  b: BatchChain,
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
  const items = decodeArray(sealedBatch, 'sealed settlement batch', LIMITS.sealedBatchWireBytes);
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

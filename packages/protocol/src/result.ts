/**
 * Settlement results (docs/protocol.md §10): the bank's signed answer to a batch, one status per
 * entry and the payee's new settled head.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { ENTRY_STATUS, LEN, LIMITS, SIGN_LABEL, VERSION } from './constants.js';
import { fail } from './errors.js';
import { bytes, decodeArray, expectArray, openTbs, text, time, uint } from './fields.js';
import { issuerKey, type BankKeys } from './keyset.js';
import {
  type SigningKey,
  readEnvelope,
  requireSignature,
  signTbs,
  signerPublicKey,
} from './signing.js';

/** What happened to one entry. */
export type EntryStatus = keyof typeof ENTRY_STATUS;

/** The outcome of one ledger entry. `code` is empty unless the entry was rejected. */
export interface EntryResult {
  index: number;
  paymentId: Uint8Array;
  status: EntryStatus;
  code: string;
}

/** Fields of a settlement result. */
export interface SettlementResultFields {
  payeeKid: Uint8Array;
  batchKey: Uint8Array;
  fromIndex: number;
  results: EntryResult[];
  /** The payee's settled head after this batch. */
  head: Uint8Array;
  /** Bank clock, Unix seconds. */
  settledAt: number;
}

/** A decoded, bank-signed settlement result. */
export interface SettlementResult extends SettlementResultFields {
  bankKid: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
}

const STATUS_BY_NUMBER = Object.fromEntries(
  Object.entries(ENTRY_STATUS).map(([k, v]) => [v, k]),
) as Record<number, EntryStatus>;
const CODE = /^([A-Z][A-Z0-9_]*)?$/;

/** Signs a settlement result with the bank's signing key. */
export function signSettlementResult(
  f: SettlementResultFields,
  bankKey: SigningKey,
): SettlementResult {
  const tbs = encodeCbor([
    VERSION,
    kid(signerPublicKey(bankKey)),
    f.payeeKid,
    f.batchKey,
    f.fromIndex,
    f.results.map((r) => [r.index, r.paymentId, ENTRY_STATUS[r.status], r.code]),
    f.head,
    f.settledAt,
  ]);
  const body = openTbs(tbs, 'settlement result', LIMITS.resultBytes);
  return resultFromBody(body, tbs, signTbs(SIGN_LABEL.settlementResult, tbs, bankKey));
}

function resultFromBody(
  body: CborValue[],
  tbs: Uint8Array,
  signature: Uint8Array,
): SettlementResult {
  const it = expectArray(body, 'settlement result', 8);
  const list = expectArray(it[5], 'settlement result entries');
  if (list.length > LIMITS.batchEntries)
    fail('PROTO_SCHEMA', 'too many entry results', { what: 'results' });
  return {
    bankKid: bytes(it[1], 'settlement result bankKid', LEN.kid),
    payeeKid: bytes(it[2], 'settlement result payeeKid', LEN.kid),
    batchKey: bytes(it[3], 'settlement result batchKey', LEN.hash),
    fromIndex: uint(it[4], 'settlement result fromIndex'),
    results: list.map((value) => {
      const r = expectArray(value, 'entry result', 4);
      const status = STATUS_BY_NUMBER[uint(r[2], 'entry result status', 0, 2)]!;
      const code = text(r[3], 'entry result code', 64, CODE);
      if ((status === 'rejected') !== (code !== '')) {
        fail('PROTO_SCHEMA', 'a rejected entry needs a code and only a rejected one has one', {
          what: 'entry result',
        });
      }
      return {
        index: uint(r[0], 'entry result index'),
        paymentId: bytes(r[1], 'entry result paymentId', LEN.hash),
        status,
        code,
      };
    }),
    head: bytes(it[6], 'settlement result head', LEN.hash),
    settledAt: time(it[7], 'settlement result settledAt'),
    tbs,
    signature,
  };
}

/** Wire bytes: CBOR `[tbs, signature]`. */
export function encodeSettlementResult(r: SettlementResult): Uint8Array {
  return encodeCbor([r.tbs, r.signature]);
}

/** Parses a settlement result without checking its signature. */
export function decodeSettlementResult(input: Uint8Array): SettlementResult {
  const value = decodeArray(input, 'settlement result', LIMITS.resultBytes);
  const { tbs, signature, body } = readEnvelope(value, 'settlement result', 2, LIMITS.resultBytes);
  return resultFromBody(body, tbs, signature);
}

/** Checks the bank's signature on a result. @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID */
export function verifySettlementResult(r: SettlementResult, bankKeys: BankKeys): void {
  requireSignature(
    SIGN_LABEL.settlementResult,
    r.tbs,
    r.signature,
    issuerKey(bankKeys, r.bankKid),
    'settlement result',
  );
}

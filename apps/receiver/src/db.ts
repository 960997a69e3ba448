/**
 * The till's database, `offpay-receiver` version 2 (migrated from version 1 by db-v1.ts):
 * - `meta`: singletons by name — the vault, bank address, last bank time, pinned bank keys and
 *   revocation list (app-kit); the payee certificate, the ledger head and the settled head, the
 *   per-customer limit, the current request's id and the payers caught cheating;
 * - `ledger`: the hash-chained entries keyed by index, with a unique `paymentId` index (a payment
 *   is accepted once) and a `payer` index (a payer's entries: its total and fraud detection);
 * - `requests` keyed by requestId; `outcomes` (the bank's word per entry) keyed by index;
 * - `fraud`: kept fraud proofs by id; `batches`: batches handed out, waiting for an answer.
 * Every row read back is parsed here like outside input.
 */
import { LEN, LIMITS } from '@offpay/protocol';
import { defineSchema, type Db } from '@offpay/app-kit';
import { tillFromV1 } from './db-v1.js';

/** Meta keys of the till's own singletons. */
export const META = {
  certificate: 'certificate',
  ledgerHead: 'ledgerHead',
  settledHead: 'settledHead',
  payerCap: 'payerCap',
  currentRequest: 'currentRequest',
  localRevoked: 'localRevoked',
} as const;

/** Vault names of the till's two secret keys. */
export const SECRET = { sign: 'payeeKey', kem: 'kemKey' } as const;

/** One accepted payment as the till stores it. Never changed once written. */
export interface LedgerRecord {
  index: number;
  paymentId: Uint8Array;
  prevEntryHash: Uint8Array;
  entryHash: Uint8Array;
  /** The payment's signed wire bytes (opened, not sealed). */
  payment: Uint8Array;
  amount: number;
  currency: string;
  payerSerial: number;
  counter: number;
  /** The payment's running total and previous paymentId: what fraud detection compares. */
  spent: number;
  prev: Uint8Array;
  /** The memo of the request it paid ('' for none). */
  memo: string;
  /** Unix seconds (trusted device clock). */
  acceptedAt: number;
  status: 'accepted';
  /** The signed receipt shown to the payer, so it can be shown again. */
  receipt: Uint8Array;
}

/** A request as the till keeps it. */
export interface StoredRequest {
  requestId: Uint8Array;
  amount: number;
  expiresAt: number;
  memo: string;
  createdAt: number;
  /** 'closed': a newer request replaced it before it was paid; it can no longer be paid. */
  status: 'open' | 'paid' | 'closed';
  /** Ledger index of the payment that paid it. */
  paidIndex?: number;
  /** The signed request's wire bytes, to show it again after a reload. */
  bytes: Uint8Array;
}

/** What the bank said about one entry, from a verified settlement result. */
export interface EntryOutcome {
  index: number;
  status: 'settled' | 'duplicate' | 'rejected';
  /** The bank's code for a rejected entry, '' otherwise. */
  code: string;
  /** Bank clock, Unix seconds. */
  settledAt: number;
  batchKey: string;
}

/** A kept fraud proof. */
export interface StoredFraudProof {
  id: string;
  serial: number;
  fraudKind: string;
  /** The proof's bytes, base64url, exactly as the protocol made them. */
  proof: string;
  foundAt: number;
  status: 'pending' | 'submitted' | 'refused';
  /** The bank's code when it refused the proof. */
  code?: string;
}

/** A batch handed out (exported or sent) whose answer the till has not applied yet. */
export interface PendingBatch {
  /** The bank's idempotency key: hex of the batch's message id (docs/protocol.md §9). */
  batchKey: string;
  fromIndex: number;
  count: number;
  /** Unix seconds. */
  createdAt: number;
}

type Row = Record<string, unknown>;
const asRow = (v: unknown): Row =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Row) : {};
export const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isBytes = (v: unknown, min: number, max = min): v is Uint8Array =>
  v instanceof Uint8Array && v.length >= min && v.length <= max;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const hash = (v: unknown) => isBytes(v, LEN.hash);
const counts = (r: Row, keys: string[]) => keys.every((k) => isCount(r[k]));
const ok = <T>(r: Row, valid: boolean): T | undefined => (valid ? (r as T) : undefined);

function parseLedger(v: unknown): LedgerRecord | undefined {
  const r = asRow(v);
  const shaped =
    counts(r, ['index', 'amount', 'payerSerial', 'counter', 'spent', 'acceptedAt']) &&
    [r['paymentId'], r['prevEntryHash'], r['entryHash'], r['prev']].every(hash) &&
    isBytes(r['payment'], 1, 1024) &&
    isText(r['currency'], 3) &&
    /^[A-Z]{3}$/.test(r['currency']) &&
    isText(r['memo'], LIMITS.memoBytes) &&
    r['status'] === 'accepted' &&
    isBytes(r['receipt'], 1, 512);
  return ok(r, shaped);
}

function parseRequest(v: unknown): StoredRequest | undefined {
  const r = asRow(v);
  const shaped =
    isBytes(r['requestId'], LEN.requestId) &&
    counts(r, ['amount', 'expiresAt', 'createdAt']) &&
    isText(r['memo'], LIMITS.memoBytes) &&
    ['open', 'paid', 'closed'].includes(r['status'] as string) &&
    (r['paidIndex'] === undefined || isCount(r['paidIndex'])) &&
    isBytes(r['bytes'], 1, LIMITS.requestBytes);
  return ok(r, shaped);
}

function parseOutcome(v: unknown): EntryOutcome | undefined {
  const r = asRow(v);
  const shaped =
    counts(r, ['index', 'settledAt']) &&
    ['settled', 'duplicate', 'rejected'].includes(r['status'] as string) &&
    isText(r['code'], 64) &&
    isText(r['batchKey'], 64);
  return ok(r, shaped);
}

function parseFraud(v: unknown): StoredFraudProof | undefined {
  const r = asRow(v);
  const shaped =
    isText(r['id'], 32) &&
    counts(r, ['serial', 'foundAt']) &&
    isText(r['fraudKind'], 64) &&
    isText(r['proof'], Math.ceil((LIMITS.fraudProofBytes * 4) / 3)) &&
    ['pending', 'submitted', 'refused'].includes(r['status'] as string);
  return ok(r, shaped);
}

function parseBatch(v: unknown): PendingBatch | undefined {
  const r = asRow(v);
  const shaped =
    typeof r['batchKey'] === 'string' &&
    /^[0-9a-f]{64}$/.test(r['batchKey']) &&
    counts(r, ['fromIndex', 'count', 'createdAt']) &&
    (r['count'] as number) >= 1 &&
    (r['count'] as number) <= LIMITS.batchEntries;
  return ok(r, shaped);
}

/** The till's schema. */
export const tillSchema = defineSchema({
  name: 'offpay-receiver',
  version: 2,
  stores: {
    meta: { parse: (row: unknown) => row },
    ledger: {
      keyPath: 'index',
      indexes: {
        paymentId: { keyPath: 'paymentId', unique: true },
        payer: { keyPath: 'payerSerial' },
      },
      parse: parseLedger,
    },
    requests: { keyPath: 'requestId', parse: parseRequest },
    outcomes: { keyPath: 'index', parse: parseOutcome },
    fraud: { keyPath: 'id', parse: parseFraud },
    batches: { keyPath: 'batchKey', parse: parseBatch },
  },
  fromV1: tillFromV1,
});

/** The till's open database. */
export type TillDb = Db<typeof tillSchema.stores>;

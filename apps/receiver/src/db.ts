/**
 * The till's database, `offpay-receiver` version 3 (migrated from version 1 by db-v1.ts; version 2
 * gains the `payers` summaries and the ledger's payer indexes in place, app-kit's upgrade.ts):
 * - `meta`: singletons by name — the vault, bank address, last bank time, pinned bank keys and
 *   revocation list (app-kit); the payee certificate, the ledger head and the settled head, the
 *   per-customer limit, the current request's id and the payers caught cheating;
 * - `ledger`: the hash-chained entries keyed by index, with a unique `paymentId` index (a payment
 *   is accepted once) and three indexes by payer — on [payerSerial, counter], [payerSerial, prev]
 *   and [payerSerial, spent] — that find the few earlier entries fraud detection could flag
 *   (state/accept.ts);
 * - `payers`: one summary per payer serial — its total here, how many entries, its highest counter
 *   and spent — derived from the ledger (never backed up; rebuilt on upgrade and restore): what
 *   the limit per customer reads, and what spares fraud detection most reads;
 * - `requests` keyed by requestId; `outcomes` (the bank's word per entry) keyed by index;
 * - `fraud`: kept fraud proofs by id; `batches`: batches handed out, waiting for an answer.
 * Every row read back is parsed here like outside input.
 */
import { LEN, LIMITS } from '@offpay/protocol';
import {
  bytes,
  count,
  currency,
  defineSchema,
  hex,
  oneOf,
  optional,
  rowParser,
  text,
  type Db,
  type Snapshot,
} from '@offpay/app-kit';
import { tillFromV1 } from './db-v1.js';

/** Meta keys of the till's own singletons. */
export const META = {
  certificate: 'certificate',
  ledgerHead: 'ledgerHead',
  settledHead: 'settledHead',
  payerCap: 'payerCap',
  currentRequest: 'currentRequest',
  localRevoked: 'localRevoked',
  /** A takeover of this (stolen) till's ledger under way: its step (state/handover.ts). */
  handover: 'handover',
} as const;

/** Vault names of the till's two secret keys. */
export const SECRET = { sign: 'payeeKey', kem: 'kemKey' } as const;

/** Vault names of the successor's keys while a ledger takeover is under way (state/handover.ts). */
export const NEXT_SECRET = { sign: 'nextPayeeKey', kem: 'nextKemKey' } as const;

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

/**
 * What the till has taken from one payer certificate, derived from its ledger entries: its total
 * (the limit per customer) and what tells fraud detection which earlier entries it must read
 * (state/accept.ts `payerReads`).
 */
export interface PayerSummary {
  payerSerial: number;
  /** The sum of the payer's entries' amounts, minor units of the till's currency. */
  total: number;
  /** How many entries the payer has. */
  entries: number;
  /** The highest counter of its entries, and how many entries have it (one, unless forged). */
  maxCounter: number;
  atMaxCounter: number;
  /** The highest `spent` of its entries. */
  maxSpent: number;
}

/** `summary` (undefined: the payer's first entry) with one more entry of the payer. */
export function summaryWith(
  summary: PayerSummary | undefined,
  entry: Pick<LedgerRecord, 'payerSerial' | 'amount' | 'counter' | 'spent'>,
): PayerSummary {
  const { payerSerial, amount, counter, spent } = entry;
  if (!summary) {
    return {
      payerSerial,
      total: amount,
      entries: 1,
      maxCounter: counter,
      atMaxCounter: 1,
      maxSpent: spent,
    };
  }
  return {
    payerSerial,
    total: summary.total + amount,
    entries: summary.entries + 1,
    maxCounter: Math.max(summary.maxCounter, counter),
    atMaxCounter:
      counter > summary.maxCounter
        ? 1
        : summary.atMaxCounter + (counter === summary.maxCounter ? 1 : 0),
    maxSpent: Math.max(summary.maxSpent, spent),
  };
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

const hash = bytes(LEN.hash);
const memo = text(LIMITS.memoBytes);

const parseLedger = rowParser<LedgerRecord>({
  index: count,
  paymentId: hash,
  prevEntryHash: hash,
  entryHash: hash,
  payment: bytes(1, 1024),
  amount: count,
  currency,
  payerSerial: count,
  counter: count,
  spent: count,
  prev: hash,
  memo,
  acceptedAt: count,
  status: oneOf('accepted'),
  receipt: bytes(1, 512),
});

const parsePayer = rowParser<PayerSummary>({
  payerSerial: count,
  total: count,
  entries: count,
  maxCounter: count,
  atMaxCounter: count,
  maxSpent: count,
});

/**
 * The payers' summaries of a snapshot's ledger rows (the damaged ones left out: the ledger check
 * names them). Pure: it runs inside the upgrade transaction.
 */
export function payerSummaries(stores: Snapshot['stores']): Snapshot['stores'] {
  const payers = new Map<number, PayerSummary>();
  for (const [, row] of stores['ledger'] ?? []) {
    const r = parseLedger(row);
    if (!r) continue;
    payers.set(r.payerSerial, summaryWith(payers.get(r.payerSerial), r));
  }
  return { payers: [...payers].map(([serial, s]): [number, PayerSummary] => [serial, s]) };
}

const parseRequest = rowParser<StoredRequest>({
  requestId: bytes(LEN.requestId),
  amount: count,
  expiresAt: count,
  memo,
  createdAt: count,
  status: oneOf('open', 'paid', 'closed'),
  paidIndex: optional(count),
  bytes: bytes(1, LIMITS.requestBytes),
});

const parseOutcome = rowParser<EntryOutcome>({
  index: count,
  status: oneOf('settled', 'duplicate', 'rejected'),
  code: text(64),
  settledAt: count,
  batchKey: text(64),
});

const parseFraud = rowParser<StoredFraudProof>({
  id: text(32),
  serial: count,
  fraudKind: text(64),
  proof: text(Math.ceil((LIMITS.fraudProofBytes * 4) / 3)),
  foundAt: count,
  status: oneOf('pending', 'submitted', 'refused'),
  code: optional(text(64)),
});

const parseBatch = rowParser<PendingBatch>({
  batchKey: hex(32),
  fromIndex: count,
  count: (v) => count(v) && v >= 1 && v <= LIMITS.batchEntries,
  createdAt: count,
});

/** The till's schema. */
export const tillSchema = defineSchema({
  name: 'offpay-receiver',
  version: 3,
  stores: {
    meta: { parse: (row: unknown) => row },
    ledger: {
      keyPath: 'index',
      indexes: {
        paymentId: { keyPath: 'paymentId', unique: true },
        payerCounter: { keyPath: ['payerSerial', 'counter'] },
        payerPrev: { keyPath: ['payerSerial', 'prev'] },
        payerSpent: { keyPath: ['payerSerial', 'spent'] },
      },
      parse: parseLedger,
    },
    payers: { keyPath: 'payerSerial', parse: parsePayer, derived: true },
    requests: { keyPath: 'requestId', parse: parseRequest },
    outcomes: { keyPath: 'index', parse: parseOutcome },
    fraud: { keyPath: 'id', parse: parseFraud },
    batches: { keyPath: 'batchKey', parse: parseBatch },
  },
  fromV1: tillFromV1,
  derive: payerSummaries,
});

/** The till's open database. */
export type TillDb = Db<typeof tillSchema.stores>;

/** The till's reads, on the database or inside one of its transactions (`TillDb.transaction`). */
export type TillReads = Pick<
  TillDb,
  'name' | 'get' | 'all' | 'byIndex' | 'count' | 'counted' | 'last'
>;

/**
 * The till's hash-chained ledger as stored in the 'ledger' log (DESIGN.md §4 LedgerEntry), the
 * settlement outcome of each entry (in the 'history' log: ledger records never change), and the
 * integrity check run when the ledger is shown and at unlock.
 */
import { toHex } from '@offpay/crypto';
import {
  decodePayment,
  emptyLedgerHead,
  fail,
  LEN,
  Money,
  verifyCertificate,
  verifyLedger,
  verifyPayerSignature,
  type LedgerEntry,
  type LedgerHead,
  type Payment,
} from '@offpay/protocol';
import type { AppDb } from '@offpay/app-kit';
import { asRecord, isBytes, isCount, KEY, readHead, settledHead, type Till } from './store.js';

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
  /** Unix seconds (trusted device clock). */
  acceptedAt: number;
  /** The status when written; settlement outcomes are kept beside it (see EntryOutcome). */
  status: 'accepted';
  /** The signed receipt shown to the payer, so it can be shown again. */
  receipt: Uint8Array;
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

/** An entry's status as people see it. */
export type EntryStatus = 'accepted' | EntryOutcome['status'];

/** Log key of a ledger entry: zero-padded so keys sort like indices. */
export const ledgerKey = (index: number): string => String(index).padStart(12, '0');

/** History key of an entry's settlement outcome. */
export const outcomeKey = (index: number): string => `outcome:${ledgerKey(index)}`;

const MAX_PAYMENT_BYTES = 1024;
const MAX_RECEIPT_BYTES = 512;

/** A stored ledger row checked for shape, or undefined when it is malformed. */
export function parseLedgerRecord(row: unknown): LedgerRecord | undefined {
  const r = asRecord(row);
  if (!r) return undefined;
  const ok =
    isCount(r['index']) &&
    isBytes(r['paymentId'], LEN.hash) &&
    isBytes(r['prevEntryHash'], LEN.hash) &&
    isBytes(r['entryHash'], LEN.hash) &&
    isBytes(r['payment'], 1, MAX_PAYMENT_BYTES) &&
    isCount(r['amount']) &&
    typeof r['currency'] === 'string' &&
    /^[A-Z]{3}$/.test(r['currency']) &&
    isCount(r['payerSerial']) &&
    isCount(r['counter']) &&
    isCount(r['acceptedAt']) &&
    r['status'] === 'accepted' &&
    isBytes(r['receipt'], 1, MAX_RECEIPT_BYTES);
  return ok ? (r as unknown as LedgerRecord) : undefined;
}

/**
 * Every ledger record in order. A malformed row is a broken ledger.
 * @throws PROTO_LEDGER_BROKEN naming the first malformed position
 */
export async function readLedger(db: AppDb): Promise<LedgerRecord[]> {
  const rows = await db.list<unknown>('ledger');
  return rows.map((row, position) => {
    const record = parseLedgerRecord(row);
    if (!record) {
      fail('PROTO_LEDGER_BROKEN', `ledger entry ${position} is unreadable`, { index: position });
    }
    return record;
  });
}

/** The stored record at ledger index `index` (read by its key), if it is there and well-formed. */
export async function recordAt(db: AppDb, index: number): Promise<LedgerRecord | undefined> {
  const record = parseLedgerRecord(await db.record<unknown>('ledger', ledgerKey(index)));
  return record?.index === index ? record : undefined;
}

/** The protocol's view of a stored record. */
export function toLedgerEntry(r: LedgerRecord): LedgerEntry {
  return {
    index: r.index,
    payment: r.payment,
    paymentId: r.paymentId,
    prevEntryHash: r.prevEntryHash,
    entryHash: r.entryHash,
  };
}

/**
 * Checks the whole stored ledger: every link from the genesis of this till's certificate; that
 * the stored head is the one the entries lead to (so a removed last entry is seen too); that each
 * record's amount, payer and counter are its payment's; and, for the entries not settled yet, the
 * payer certificate and signature (the links cover the signed fields only, never a signature).
 * @throws PROTO_LEDGER_BROKEN, PROTO_LEDGER_INDEX
 */
export async function checkLedger(db: AppDb, till: Till): Promise<LedgerRecord[]> {
  const records = await readLedger(db);
  const genesis = emptyLedgerHead(till.cert.serial);
  const head = verifyLedger(records.map(toLedgerEntry), genesis);
  const stored = await readHead(db, KEY.ledgerHead, genesis);
  if (stored.nextIndex !== head.nextIndex || toHex(stored.head) !== toHex(head.head)) {
    fail('PROTO_LEDGER_BROKEN', 'the ledger head does not match its entries', {
      index: Math.min(stored.nextIndex, head.nextIndex),
    });
  }
  const settled = await settledHead(db, till);
  const certsSeen = new Set<string>();
  for (const r of records) {
    try {
      checkRecord(r, till, r.index >= settled.nextIndex ? certsSeen : undefined);
    } catch {
      fail('PROTO_LEDGER_BROKEN', `ledger entry ${r.index} was altered`, { index: r.index });
    }
  }
  return records;
}

/** Throws unless the record agrees with its payment (and, given `certsSeen`, its signatures verify). */
function checkRecord(r: LedgerRecord, till: Till, certsSeen: Set<string> | undefined): void {
  const p = decodePayment(r.payment);
  if (
    p.amount !== r.amount ||
    p.serial !== r.payerSerial ||
    p.counter !== r.counter ||
    r.currency !== till.cert.currency
  ) {
    throw new RangeError('record fields differ from the payment');
  }
  if (!certsSeen) return;
  const certHex = toHex(p.payerCert.tbs) + toHex(p.payerCert.signature);
  if (!certsSeen.has(certHex)) {
    verifyCertificate(p.payerCert, till.bankKeys);
    certsSeen.add(certHex);
  }
  verifyPayerSignature(p);
}

/** Settlement outcomes by ledger index (malformed rows are left out: the entry stays unsettled). */
export async function readOutcomes(db: AppDb): Promise<Map<number, EntryOutcome>> {
  const out = new Map<number, EntryOutcome>();
  for (const row of await db.list<unknown>('history')) {
    const r = asRecord(row);
    if (!r || r['kind'] !== 'outcome') continue;
    const { index, status, code, settledAt, batchKey } = r;
    if (!isCount(index) || !isCount(settledAt) || typeof batchKey !== 'string') continue;
    if (status !== 'settled' && status !== 'duplicate' && status !== 'rejected') continue;
    if (typeof code !== 'string' || code.length > 64) continue;
    out.set(index, { index, status, code, settledAt, batchKey });
  }
  return out;
}

/** What Home shows: how many payments, and how much the bank has not settled yet. */
export interface LedgerSummary {
  count: number;
  unsettledCount: number;
  unsettled: Money;
}

/** Counts the ledger and sums what lies after the settled head. */
export async function ledgerSummary(db: AppDb, till: Till): Promise<LedgerSummary> {
  const records = await readLedger(db);
  const settled = await settledHead(db, till);
  let unsettled = Money.of(0, till.cert.currency);
  let unsettledCount = 0;
  for (const r of records) {
    if (r.index < settled.nextIndex) continue;
    unsettled = unsettled.plus(Money.of(r.amount, till.cert.currency));
    unsettledCount++;
  }
  return { count: records.length, unsettledCount, unsettled };
}

/** A row of the ledger view. */
export interface LedgerRow {
  index: number;
  amount: Money;
  acceptedAt: number;
  status: EntryStatus;
  code: string;
  payerSerial: number;
  receipt: Uint8Array;
}

/** The ledger's rows, newest first, each with its settlement status. */
export async function ledgerRows(db: AppDb, till: Till): Promise<LedgerRow[]> {
  const records = await readLedger(db);
  const outcomes = await readOutcomes(db);
  return records
    .map((r) => {
      const o = outcomes.get(r.index);
      return {
        index: r.index,
        amount: Money.of(r.amount, till.cert.currency),
        acceptedAt: r.acceptedAt,
        status: o?.status ?? r.status,
        code: o?.code ?? '',
        payerSerial: r.payerSerial,
        receipt: r.receipt,
      };
    })
    .reverse();
}

/** The records from `from.nextIndex` on, checked to continue from `from`. */
export function recordsAfter(records: readonly LedgerRecord[], from: LedgerHead): LedgerRecord[] {
  const rest = records.filter((r) => r.index >= from.nextIndex);
  verifyLedger(rest.map(toLedgerEntry), from);
  return rest;
}

/** The decoded payments of stored records (their bytes were verified when accepted). */
export function paymentsOf(records: readonly LedgerRecord[]): Payment[] {
  return records.map((r) => decodePayment(r.payment));
}

/**
 * The till's hash-chained ledger as stored in the `ledger` store (DESIGN.md §4 LedgerEntry), the
 * settlement outcome of each entry (the `outcomes` store: ledger records never change), and the
 * integrity check run when the ledger is shown and at unlock.
 */
import { toHex } from '@offpay/crypto';
import {
  decodePayment,
  emptyLedgerHead,
  fail,
  Money,
  verifyCertificate,
  verifyLedger,
  verifyPayerSignature,
  type LedgerEntry,
  type LedgerHead,
  type Payment,
} from '@offpay/protocol';
import { META, type EntryOutcome, type LedgerRecord, type TillDb } from '../db.js';
import { readHead, type Till } from './till.js';

/** An entry's status as people see it. */
export type EntryStatus = 'accepted' | EntryOutcome['status'];

/**
 * Every ledger record in index order (from `from` on). A malformed row is a broken ledger.
 * @throws PROTO_LEDGER_BROKEN naming the first entry missing from the readable ones
 */
export async function readLedger(db: TillDb, from = 0): Promise<LedgerRecord[]> {
  const range = IDBKeyRange.lowerBound(from);
  const [records, stored] = await Promise.all([db.all('ledger', range), db.count('ledger', range)]);
  if (records.length !== stored) {
    const index = records.findIndex((r, i) => r.index !== from + i);
    const at = index < 0 ? from + records.length : from + index;
    fail('PROTO_LEDGER_BROKEN', `ledger entry ${at} is unreadable`, { index: at });
  }
  return records;
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
export async function checkLedger(db: TillDb, till: Till): Promise<LedgerRecord[]> {
  const records = await readLedger(db);
  const head = verifyLedger(records.map(toLedgerEntry), emptyLedgerHead(till.cert.serial));
  const stored = await readHead(db, META.ledgerHead, till);
  if (stored.nextIndex !== head.nextIndex || toHex(stored.head) !== toHex(head.head)) {
    fail('PROTO_LEDGER_BROKEN', 'the ledger head does not match its entries', {
      index: Math.min(stored.nextIndex, head.nextIndex),
    });
  }
  const settled = await readHead(db, META.settledHead, till);
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
    p.spent !== r.spent ||
    toHex(p.prev) !== toHex(r.prev) ||
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

/** What Home and Settle show: how many payments, and what the bank has not settled yet. */
export interface LedgerSummary {
  count: number;
  unsettledCount: number;
  unsettled: Money;
}

/** Counts the ledger and sums what lies after the settled head (reading only that part). */
export async function ledgerSummary(db: TillDb, till: Till): Promise<LedgerSummary> {
  const settled = await readHead(db, META.settledHead, till);
  const [count, rest] = await Promise.all([db.count('ledger'), readLedger(db, settled.nextIndex)]);
  let unsettled = Money.of(0, till.cert.currency);
  for (const r of rest) unsettled = unsettled.plus(Money.of(r.amount, till.cert.currency));
  return { count, unsettledCount: rest.length, unsettled };
}

/** "3 payments, all settled" / "3 payments; 2 not yet settled (3.75 EUR)" / "No payments yet." */
export function summaryLine(s: LedgerSummary): string {
  if (s.count === 0) return 'No payments yet.';
  const payments = `${s.count} payment${s.count === 1 ? '' : 's'}`;
  if (s.unsettledCount === 0) return `${payments}, all settled.`;
  return `${payments}; ${s.unsettledCount} not yet settled (${s.unsettled.toString()}).`;
}

/** A row of the ledger view. */
export interface LedgerRow {
  index: number;
  /** hex: what the bank knows the payment by (a refund names it). */
  paymentId: string;
  amount: Money;
  memo: string;
  acceptedAt: number;
  status: EntryStatus;
  code: string;
}

/** The ledger's rows, newest first, each with its settlement status. */
export async function ledgerRows(db: TillDb, till: Till): Promise<LedgerRow[]> {
  const [records, outcomes] = await Promise.all([readLedger(db), db.all('outcomes')]);
  const byIndex = new Map(outcomes.map((o) => [o.index, o]));
  return records
    .map((r) => {
      const o = byIndex.get(r.index);
      const amount = Money.of(r.amount, till.cert.currency);
      return {
        index: r.index,
        paymentId: toHex(r.paymentId),
        amount,
        memo: r.memo,
        acceptedAt: r.acceptedAt,
        status: o?.status ?? r.status,
        code: o?.code ?? '',
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

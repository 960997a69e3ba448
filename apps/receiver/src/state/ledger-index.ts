/**
 * Small indexes kept beside the ledger, so accepting a payment reads a few rows by key instead of
 * the whole ledger (state/till.ts):
 * - `acc:<paymentIdHex>` → the ledger index of that accepted payment (the duplicate check);
 * - `payer:<serial>` → that payer's accepted payments: their ledger indices, their total (the
 *   per-payer cap) and, per payment, the fields fraud detection compares (`links`), so only the
 *   earlier payments that conflict with a new one are read and decoded;
 * - `ledgerIndex` → { version, nextIndex }: the ledger head the indexes describe.
 * They are written in the same write as the ledger entry they describe. A ledger written before
 * they existed (an older app, another tab still running one, a restored older backup) gets them
 * rebuilt once from all its entries, under the till lock. Rows are untrusted: a damaged one is
 * PROTO_LEDGER_BROKEN, never a TypeError.
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  decodePayment,
  detectFraud,
  fail,
  LEN,
  type ChainLink,
  type LedgerHead,
  type Payment,
} from '@offpay/protocol';
import type { AppDb, WriteOp } from '@offpay/app-kit';
import { ledgerKey, parseLedgerRecord, type LedgerRecord } from './ledger.js';
import { asRecord, isBytes, isCount, KEY } from './store.js';

/** Version of the index rows' layout; another stored version is rebuilt. */
export const LEDGER_INDEX_VERSION = 1;

/** State key of the accepted-payment row of `paymentIdHex`. */
export const acceptedKey = (paymentIdHex: string): string => `acc:${paymentIdHex}`;

/** State key of the payer row of `serial`. */
export const payerKey = (serial: number): string => `payer:${serial}`;

/** One payer's accepted payments at this till, in ledger order. */
export interface PayerIndex {
  /** Ledger indices, strictly increasing. */
  indices: number[];
  /** The sum of their amounts, in minor units. */
  totalMinor: number;
  /**
   * Per payment (in `indices` order), LINK_BYTES: counter, spent and amount (float64, exact for
   * safe integers), then paymentId and prev (32 bytes each).
   */
  links: Uint8Array;
}

const NUMBERS = 3;
const LINK_BYTES = NUMBERS * 8 + 2 * LEN.hash;
const EMPTY_PAYER: PayerIndex = { indices: [], totalMinor: 0, links: new Uint8Array(0) };

function damaged(what: string, details: Record<string, string | number>): never {
  return fail('PROTO_LEDGER_BROKEN', `the ledger's index of ${what} is unreadable`, details);
}

/** The bytes of one payment's link. */
function encodeLink(p: Pick<Payment, 'counter' | 'spent' | 'amount' | 'paymentId' | 'prev'>) {
  if (p.paymentId.length !== LEN.hash || p.prev.length !== LEN.hash) {
    throw new RangeError('payment ids are hashes');
  }
  const out = new Uint8Array(LINK_BYTES);
  const view = new DataView(out.buffer);
  view.setFloat64(0, p.counter);
  view.setFloat64(8, p.spent);
  view.setFloat64(16, p.amount);
  out.set(p.paymentId, NUMBERS * 8);
  out.set(p.prev, NUMBERS * 8 + LEN.hash);
  return out;
}

/** The link at position `i` of `links` (views into it), with the payer's `serial`. */
function linkAt(links: Uint8Array, i: number, serial: number): ChainLink {
  const at = i * LINK_BYTES;
  const view = new DataView(links.buffer, links.byteOffset + at, LINK_BYTES);
  const ids = at + NUMBERS * 8;
  return {
    serial,
    counter: view.getFloat64(0),
    spent: view.getFloat64(8),
    amount: view.getFloat64(16),
    paymentId: links.subarray(ids, ids + LEN.hash),
    prev: links.subarray(ids + LEN.hash, ids + 2 * LEN.hash),
  };
}

/**
 * A stored payer row checked for shape against a ledger of `nextIndex` entries: indices strictly
 * increasing below it, one link per index, and a total that is the links' amounts summed.
 * @throws PROTO_LEDGER_BROKEN when the row is damaged
 */
export function parsePayerIndex(row: unknown, serial: number, nextIndex: number): PayerIndex {
  const r = asRecord(row);
  const indices = r?.['indices'];
  const totalMinor = r?.['totalMinor'];
  const links = r?.['links'];
  if (
    !Array.isArray(indices) ||
    indices.length > nextIndex ||
    !isCount(totalMinor) ||
    !isBytes(links, indices.length * LINK_BYTES)
  ) {
    return damaged(`payer ${serial}`, { serial });
  }
  let previous = -1;
  let sum = 0;
  for (let i = 0; i < indices.length; i++) {
    const index: unknown = indices[i];
    const link = linkAt(links, i, serial);
    if (
      !isCount(index) ||
      index <= previous ||
      index >= nextIndex ||
      !isCount(link.counter) ||
      !isCount(link.spent) ||
      !isCount(link.amount)
    ) {
      return damaged(`payer ${serial}`, { serial });
    }
    previous = index;
    sum += link.amount;
  }
  if (sum !== totalMinor) return damaged(`payer ${serial}`, { serial });
  return { indices: indices as number[], totalMinor, links };
}

/**
 * The payer row of `serial` (empty before its first payment here).
 * @throws PROTO_LEDGER_BROKEN when the row is damaged
 */
export async function payerIndex(db: AppDb, serial: number, head: LedgerHead): Promise<PayerIndex> {
  const row = await db.get<unknown>(payerKey(serial));
  return row === undefined ? EMPTY_PAYER : parsePayerIndex(row, serial, head.nextIndex);
}

/**
 * The ledger index of the accepted payment `paymentIdHex`, or undefined when it was never
 * accepted. A hit is checked against the ledger record it names.
 * @throws PROTO_LEDGER_BROKEN when the row is damaged or names another payment's entry
 */
export async function acceptedIndex(
  db: AppDb,
  paymentIdHex: string,
  head: LedgerHead,
): Promise<number | undefined> {
  const index = await db.get<unknown>(acceptedKey(paymentIdHex));
  if (index === undefined) return undefined;
  if (!isCount(index) || index >= head.nextIndex) {
    return damaged(`payment ${paymentIdHex}`, { paymentId: paymentIdHex });
  }
  const record = parseLedgerRecord(await db.record<unknown>('ledger', ledgerKey(index)));
  if (record?.index !== index || toHex(record.paymentId) !== paymentIdHex) {
    return damaged(`payment ${paymentIdHex}`, { paymentId: paymentIdHex });
  }
  return index;
}

/**
 * The payer's earlier payments that fraud detection would flag against `payment`, in ledger
 * order, read by key and decoded — usually none. The protocol checks each of them again; every
 * other earlier payment would pass its check, so leaving them out changes no verdict.
 * @throws PROTO_LEDGER_BROKEN when a flagged entry is not the payment its link describes
 */
export async function conflictingPayments(
  db: AppDb,
  payer: PayerIndex,
  payment: Payment,
): Promise<Payment[]> {
  const flagged: number[] = [];
  payer.indices.forEach((index, i) => {
    if (detectFraud(linkAt(payer.links, i, payment.serial), payment)) flagged.push(i);
  });
  return Promise.all(
    flagged.map(async (i) => {
      const index = payer.indices[i]!;
      const record = parseLedgerRecord(await db.record<unknown>('ledger', ledgerKey(index)));
      const link = linkAt(payer.links, i, payment.serial);
      if (
        record?.index !== index ||
        record.payerSerial !== payment.serial ||
        !equalBytes(record.paymentId, link.paymentId)
      ) {
        return fail('PROTO_LEDGER_BROKEN', `ledger entry ${index} is unreadable`, { index });
      }
      try {
        return decodePayment(record.payment);
      } catch {
        return fail('PROTO_LEDGER_BROKEN', `ledger entry ${index} is unreadable`, { index });
      }
    }),
  );
}

/** `payer` with `added` (accepted at their ledger indices, after the payer's others) added. */
function withPayments(
  payer: PayerIndex,
  added: readonly { index: number; payment: Payment }[],
): PayerIndex {
  const links = new Uint8Array(payer.links.length + added.length * LINK_BYTES);
  links.set(payer.links);
  let totalMinor = payer.totalMinor;
  added.forEach(({ payment }, i) => {
    links.set(encodeLink(payment), payer.links.length + i * LINK_BYTES);
    totalMinor += payment.amount;
  });
  return { indices: [...payer.indices, ...added.map((a) => a.index)], totalMinor, links };
}

/** The index row naming the head the indexes describe. */
const versionOp = (nextIndex: number): WriteOp => ({
  put: KEY.ledgerIndex,
  value: { version: LEDGER_INDEX_VERSION, nextIndex },
});

/**
 * The index writes that go with appending `payment` at ledger index `index` (to the same
 * `db.write` as the entry: all or nothing). `payer` is the payer's row as read for the checks.
 */
export function indexOps(payer: PayerIndex, index: number, payment: Payment): WriteOp[] {
  return [
    { put: acceptedKey(toHex(payment.paymentId)), value: index },
    { put: payerKey(payment.serial), value: withPayments(payer, [{ index, payment }]) },
    versionOp(index + 1),
  ];
}

/** True when the stored indexes describe exactly the ledger up to `head`. */
async function indexesCurrent(db: AppDb, head: LedgerHead): Promise<boolean> {
  const row = asRecord(await db.get<unknown>(KEY.ledgerIndex));
  return row?.['version'] === LEDGER_INDEX_VERSION && row['nextIndex'] === head.nextIndex;
}

const isIndexKey = (key: string): boolean => key.startsWith('acc:') || key.startsWith('payer:');

/**
 * Makes sure the indexes describe the ledger up to `head` (whose last entry the caller checked),
 * building them from every entry — in one write, replacing any index row left over — when they
 * are missing or describe another head. Call it holding the till lock.
 * @throws PROTO_LEDGER_BROKEN when an entry is unreadable, stored under another key than its
 *   index, or past the head; APP_STORAGE_FAILED
 */
export async function ensureLedgerIndex(db: AppDb, head: LedgerHead): Promise<void> {
  if (await indexesCurrent(db, head)) return;
  const snapshot = await db.snapshot();
  const records: LedgerRecord[] = snapshot.logs.ledger.map(([key, row], position) => {
    const record = parseLedgerRecord(row);
    if (!record || key !== ledgerKey(record.index) || record.index >= head.nextIndex) {
      return fail('PROTO_LEDGER_BROKEN', `ledger entry ${position} is unreadable`, {
        index: position,
      });
    }
    return record;
  });
  records.sort((a, b) => a.index - b.index);
  const accepted = new Map<string, number>();
  const payers = new Map<number, { index: number; payment: Payment }[]>();
  for (const r of records) {
    let payment: Payment;
    try {
      payment = decodePayment(r.payment);
    } catch {
      return fail('PROTO_LEDGER_BROKEN', `ledger entry ${r.index} is unreadable`, {
        index: r.index,
      });
    }
    if (payment.serial !== r.payerSerial || payment.amount !== r.amount) {
      return fail('PROTO_LEDGER_BROKEN', `ledger entry ${r.index} was altered`, { index: r.index });
    }
    accepted.set(toHex(r.paymentId), r.index);
    const paid = payers.get(r.payerSerial) ?? [];
    paid.push({ index: r.index, payment });
    payers.set(r.payerSerial, paid);
  }
  const ops: WriteOp[] = snapshot.state
    .filter(([key]) => isIndexKey(key))
    .map(([key]): WriteOp => ({ delete: key }));
  for (const [idHex, index] of accepted) ops.push({ put: acceptedKey(idHex), value: index });
  for (const [serial, paid] of payers) {
    ops.push({ put: payerKey(serial), value: withPayments(EMPTY_PAYER, paid) });
  }
  ops.push(versionOp(head.nextIndex));
  await db.write(ops);
}

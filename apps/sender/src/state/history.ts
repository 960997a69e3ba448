/**
 * The wallet's payment history: one record per payment made, keyed by its paymentId (hex), in
 * the `history` log. A record is written together with the chain state that made it (pay.ts) and
 * moves on as its fate becomes known: sent → receipted (the payee's signed receipt) → settled (the
 * bank says so), or rejected (it can no longer settle).
 */
import { Money } from '@offpay/protocol';
import { AppError, type AppDb } from '@offpay/app-kit';

/** Where a payment stands, in the words the History screen shows. */
export type PaymentState = 'sent' | 'receipted' | 'settled' | 'rejected';

export const PAYMENT_STATES: readonly PaymentState[] = ['sent', 'receipted', 'settled', 'rejected'];

/** The payee's receipt, as checked (receipt.ts). */
export interface ReceiptInfo {
  index: number;
  entryHash: string;
  acceptedAt: number;
  bytes: Uint8Array;
}

/** One payment made by this wallet. */
export interface HistoryItem {
  /** paymentId, hex (also the record key). */
  paymentId: string;
  /** Serial of the payer certificate it was made under. */
  serial: number;
  counter: number;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** The payee's bank-verified display name. */
  payeeName: string;
  memo: string;
  /** Unix seconds, device clock (checked against the bank's). */
  createdAt: number;
  state: PaymentState;
  /** The sealed payment exactly as first shown: reopened, it is shown again, never re-signed. */
  sealed: Uint8Array;
  /** requestId of the PaymentRequest it answers, hex. */
  requestId: string;
  /** The payee certificate's wire bytes, to check the receipt. */
  payeeCert: Uint8Array;
  receipt?: ReceiptInfo;
  /** When the bank settled it (ISO 8601), once known. */
  settledAt?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const MAX_TEXT = 256;

const isUint = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;
const isBytes = (v: unknown, max: number): v is Uint8Array =>
  v instanceof Uint8Array && v.length > 0 && v.length <= max;

function parseReceipt(v: unknown): ReceiptInfo | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  if (!isUint(r['index']) || !isUint(r['acceptedAt'])) return undefined;
  if (typeof r['entryHash'] !== 'string' || !HEX64.test(r['entryHash'])) return undefined;
  if (!isBytes(r['bytes'], 512)) return undefined;
  return {
    index: r['index'],
    entryHash: r['entryHash'],
    acceptedAt: r['acceptedAt'],
    bytes: r['bytes'],
  };
}

/** A history row read from IndexedDB, checked field by field; undefined when it is damaged. */
export function parseHistoryItem(v: unknown): HistoryItem | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  const ok =
    typeof r['paymentId'] === 'string' &&
    HEX64.test(r['paymentId']) &&
    isUint(r['serial']) &&
    isUint(r['counter']) &&
    isUint(r['amount']) &&
    typeof r['currency'] === 'string' &&
    /^[A-Z]{3}$/.test(r['currency']) &&
    isText(r['payeeName']) &&
    isText(r['memo']) &&
    isUint(r['createdAt']) &&
    PAYMENT_STATES.includes(r['state'] as PaymentState) &&
    isBytes(r['sealed'], 2048) &&
    typeof r['requestId'] === 'string' &&
    HEX32.test(r['requestId']) &&
    isBytes(r['payeeCert'], 512) &&
    (r['settledAt'] === undefined || isText(r['settledAt']));
  if (!ok) return undefined;
  const item = { ...r } as unknown as HistoryItem;
  const receipt = r['receipt'] === undefined ? undefined : parseReceipt(r['receipt']);
  if (r['receipt'] !== undefined && !receipt) return undefined;
  if (receipt) item.receipt = receipt;
  else delete item.receipt;
  return item;
}

/**
 * Every readable history record, newest first: by creation time, then by counter (a certificate's
 * payments made within one second keep their chain order). Damaged rows are left out.
 */
export async function listHistory(db: AppDb): Promise<HistoryItem[]> {
  const rows = await db.list<unknown>('history');
  const items: HistoryItem[] = [];
  for (const row of rows) {
    const item = parseHistoryItem(row);
    if (item) items.push(item);
  }
  return items.sort((a, b) => b.createdAt - a.createdAt || b.counter - a.counter);
}

/** The record of one payment, or undefined (damaged rows are not found). */
export async function findPayment(
  db: AppDb,
  paymentIdHex: string,
): Promise<HistoryItem | undefined> {
  for (const row of await db.list<unknown>('history')) {
    const id = typeof row === 'object' && row !== null ? (row as { paymentId?: unknown }) : {};
    if (id.paymentId === paymentIdHex) return parseHistoryItem(row);
  }
  return undefined;
}

/**
 * The state key naming the payment made for one payee's request (its paymentId, hex). A request
 * id is chosen by the payee: only the pair (payee kid, request id) names one request. The key is
 * written in the same transaction as the payment's history record (pay.ts).
 */
export function paidKey(payeeKidHex: string, requestIdHex: string): string {
  return `paid:${payeeKidHex}:${requestIdHex}`;
}

/**
 * The payment already made for this payee's request, if any (a request is paid once): one state
 * read for a request never paid.
 * @throws AppError APP_WALLET_STATE_CHANGED when the stored link names no readable payment of it
 */
export async function findByRequest(
  db: AppDb,
  payeeKidHex: string,
  requestIdHex: string,
): Promise<HistoryItem | undefined> {
  const paymentId = await db.get<unknown>(paidKey(payeeKidHex, requestIdHex));
  if (paymentId === undefined) return undefined;
  const item =
    typeof paymentId === 'string' && HEX64.test(paymentId)
      ? await findPayment(db, paymentId)
      : undefined;
  if (!item || item.requestId !== requestIdHex) {
    throw new AppError(
      'APP_WALLET_STATE_CHANGED',
      'The payment stored for this request is damaged.',
    );
  }
  return item;
}

/** The amount of a record as Money. */
export function itemAmount(item: HistoryItem): Money {
  return Money.of(item.amount, item.currency);
}

/** Counts per state, for the Home summary. */
export interface HistorySummary {
  count: number;
  byState: Record<PaymentState, number>;
}

/** Summary of a history list. */
export function summarize(items: readonly HistoryItem[]): HistorySummary {
  const byState: Record<PaymentState, number> = { sent: 0, receipted: 0, settled: 0, rejected: 0 };
  for (const item of items) byState[item.state] += 1;
  return { count: items.length, byState };
}

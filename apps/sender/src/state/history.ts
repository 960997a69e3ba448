/**
 * The wallet's payment history (the `history` store, db.ts): one record per payment made, written
 * together with the chain state that made it (pay.ts), moving on as its fate becomes known:
 * sent → receipted (the payee's signed receipt) → settled (the bank says so), or rejected (it can
 * no longer settle).
 */
import { Money } from '@offpay/protocol';
import { AppError } from '@offpay/app-kit';
import type { HistoryItem, PaymentState, WalletDb, WalletReads } from '../db.js';

/**
 * Every readable record, newest first: by creation time, then by counter (a certificate's
 * payments made within one second keep their chain order). Damaged rows are left out.
 */
export async function listHistory(db: WalletDb): Promise<HistoryItem[]> {
  const items = await db.all('history');
  return items.sort((a, b) => b.createdAt - a.createdAt || b.counter - a.counter);
}

/** The record of one payment, or undefined (a damaged row is not found). */
export function findPayment(db: WalletDb, paymentIdHex: string): Promise<HistoryItem | undefined> {
  return db.get('history', paymentIdHex);
}

/**
 * The payment already made for this payee's request, if any (a request is paid once). A request
 * id is chosen by the payee: only the pair (payee kid, request id) names one request.
 * @throws AppError APP_WALLET_STATE_CHANGED when a stored payment for it cannot be read
 */
export async function findByRequest(
  db: WalletReads,
  payeeKidHex: string,
  requestIdHex: string,
): Promise<HistoryItem | undefined> {
  const key = [payeeKidHex, requestIdHex];
  const { rows: found, stored } = await db.counted('history', key, 'request');
  // A damaged record is left out of `found` but still counted: never pay its request again.
  if (found.length < stored) {
    throw new AppError(
      'APP_WALLET_STATE_CHANGED',
      'The payment stored for this request is damaged.',
    );
  }
  return found[0];
}

/** The amount of a record as Money. */
export function itemAmount(item: HistoryItem): Money {
  return Money.of(item.amount, item.currency);
}

/** Counts per state, for the Home summary. */
export function countByState(items: readonly HistoryItem[]): Record<PaymentState, number> {
  const byState: Record<PaymentState, number> = { sent: 0, receipted: 0, settled: 0, rejected: 0 };
  for (const item of items) byState[item.state] += 1;
  return byState;
}

/**
 * Taking the payee's receipt (docs/protocol.md §5.3): signed by the payee we paid, naming the
 * payment we made — the payer's proof that it paid. A checked receipt moves the history record
 * to 'receipted' (a settled or rejected payment keeps its state and gains the receipt).
 */
import { fromHex, toHex } from '@offpay/crypto';
import { decodePayeeCertificate, decodeReceipt, verifyReceipt } from '@offpay/protocol';
import { AppError } from '@offpay/app-kit';
import type { HistoryItem, WalletDb } from '../db.js';
import { findPayment } from './history.js';
import { withWalletLock } from './wallet.js';

/**
 * Checks a receipt for the payment `paymentIdHex` and records it.
 * @throws PROTO_RECEIPT_MISMATCH (a receipt for another payment or receiver),
 *   PROTO_SIGNATURE_INVALID, the decoding codes; AppError APP_WALLET_STATE_CHANGED when the
 *   payment is not in the history (a restore in another tab, a damaged row); APP_STORAGE_FAILED
 */
export function acceptReceipt(
  db: WalletDb,
  paymentIdHex: string,
  receiptBytes: Uint8Array,
): Promise<HistoryItem> {
  return withWalletLock(() => acceptLocked(db, paymentIdHex, receiptBytes));
}

async function acceptLocked(
  db: WalletDb,
  paymentIdHex: string,
  receiptBytes: Uint8Array,
): Promise<HistoryItem> {
  const item = await findPayment(db, paymentIdHex);
  if (!item) {
    throw new AppError('APP_WALLET_STATE_CHANGED', 'This payment is not in the history.');
  }
  const receipt = decodeReceipt(receiptBytes);
  verifyReceipt(receipt, decodePayeeCertificate(item.payeeCert), fromHex(item.paymentId));
  const updated: HistoryItem = {
    ...item,
    // The bank's word (settled, rejected) outranks the receipt's.
    state: item.state === 'sent' ? 'receipted' : item.state,
    receipt: {
      index: receipt.index,
      entryHash: toHex(receipt.entryHash),
      acceptedAt: receipt.acceptedAt,
      bytes: receiptBytes.slice(),
    },
  };
  await db.write([{ put: 'history', value: updated }]);
  return updated;
}

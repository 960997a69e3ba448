/**
 * Payment ("Show this to the receiver"): the sealed payment as QR code and file, then the
 * receiver's receipt. Reopened from History it shows the same stored bytes: never signed again.
 * Once the receipt is checked, the code goes: one "Done" leads on.
 */
import { actions, button, h, notice, receivePanel, sendPanel } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import type { HistoryItem } from '../db.js';
import { itemAmount } from '../state/history.js';
import { acceptReceipt } from '../state/receipt.js';

/** The file name of a payment, e.g. "offpay-payment-2.50-EUR.json". */
export function paymentFileName(item: HistoryItem): string {
  return `offpay-payment-${itemAmount(item).toString().replace(' ', '-')}.json`;
}

function receiptDone(ctx: Ctx, item: HistoryItem): void {
  ctx.show(
    'Payment complete',
    notice('ok', 'Receipt checked', `${item.payeeName} accepted ${itemAmount(item).toString()}.`),
    item.memo !== '' && h('p', { class: 'memo' }, item.memo),
    actions(button('Done', () => ctx.go({ to: 'home' }), 'primary')),
  );
}

/** The Payment screen. */
export function paymentScreen(ctx: Ctx, item: HistoryItem, alreadyPaid: boolean): void {
  if (item.receipt) return receiptDone(ctx, item);
  const amount = itemAmount(item).toString();
  const send = sendPanel({
    type: 'payment',
    bytes: item.sealed,
    fileName: paymentFileName(item),
    readable: { amount, to: item.payeeName },
    label: 'Payment QR code',
  });
  const take = receivePanel({
    type: 'receipt',
    prompt: 'Scan the receipt',
    onPayload: async (bytes) => {
      const updated = await acceptReceipt(ctx.app.db, item.paymentId, bytes);
      ctx.go({ to: 'payment', item: updated });
    },
  });
  ctx.onLeave(() => send.stop());
  ctx.onLeave(() => take.stop());
  ctx.show(
    'Show this to the receiver',
    alreadyPaid &&
      notice(
        'info',
        'Already paid',
        'You paid this request before: here is the same payment again.',
      ),
    h('p', { class: 'payment-summary' }, `${amount} to `, h('strong', {}, item.payeeName)),
    send.element,
    h('h2', {}, 'Then take the receipt'),
    take.element,
  );
}

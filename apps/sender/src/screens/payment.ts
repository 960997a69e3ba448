/**
 * Payment ("Show this to the receiver"): the sealed payment as QR code and file, then the
 * receiver's receipt. Reopened from History it shows the same stored bytes: never signed again.
 */
import { h, notice, receivePanel, sendPanel } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { itemAmount, type HistoryItem } from '../state/history.js';
import { acceptReceipt } from '../state/receipt.js';
import { button, homeButton } from './parts.js';

function receiptDone(ctx: Ctx, item: HistoryItem): HTMLElement {
  return h(
    'div',
    { class: 'receipt-done' },
    notice('ok', 'Receipt checked', `${item.payeeName} accepted ${itemAmount(item).toString()}.`),
    h(
      'div',
      { class: 'actions' },
      button('Done', () => ctx.go({ to: 'home' }), 'primary'),
    ),
  );
}

/** The file name of a payment, e.g. "offpay-payment-2.50-EUR.json". */
export function paymentFileName(item: HistoryItem): string {
  return `offpay-payment-${itemAmount(item).toString().replace(' ', '-')}.json`;
}

/** The Payment screen. */
export function paymentScreen(ctx: Ctx, item: HistoryItem, alreadyPaid: boolean): void {
  const amount = itemAmount(item).toString();
  const send = sendPanel({
    type: 'payment',
    bytes: item.sealed,
    fileName: paymentFileName(item),
    readable: { amount, to: item.payeeName },
    label: 'Payment QR code',
  });
  ctx.onLeave(() => send.stop());
  const receiptArea = h('div', { class: 'receipt-area' });
  if (item.receipt) {
    receiptArea.append(receiptDone(ctx, item));
  } else {
    const take = receivePanel({
      type: 'receipt',
      prompt: 'Scan the receipt',
      onPayload: async (bytes) => {
        const updated = await acceptReceipt(ctx.db, item.paymentId, bytes);
        take.stop();
        receiptArea.replaceChildren(receiptDone(ctx, updated));
      },
    });
    ctx.onLeave(() => take.stop());
    receiptArea.append(h('h2', {}, 'Then take the receipt'), take.element);
  }
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
    receiptArea,
    homeButton(ctx),
  );
}

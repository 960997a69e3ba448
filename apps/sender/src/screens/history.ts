/** History: every payment, newest first, with where it stands (sent, receipted, settled, rejected). */
import { actions, button, formatTime, h } from '@offpay/app-kit';
import { Money } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import type { HistoryItem } from '../db.js';
import { itemAmount, listHistory } from '../state/history.js';

function row(ctx: Ctx, item: HistoryItem): HTMLElement {
  return h(
    'li',
    { class: 'history-item', 'data-state': item.state },
    h(
      'div',
      { class: 'row' },
      h('strong', {}, itemAmount(item).toString()),
      h('span', { class: 'pill', 'data-state': item.state }, item.state),
    ),
    h('p', { class: 'history-payee' }, item.payeeName),
    h('p', { class: 'muted' }, formatTime(item.createdAt)),
    item.memo !== '' && h('p', { class: 'memo' }, item.memo),
    (item.refunded ?? 0) > 0 &&
      h(
        'p',
        { class: 'history-refund' },
        `Refunded ${Money.of(item.refunded ?? 0, item.currency).toString()} by the merchant`,
      ),
    // A payment still waiting for its receipt can be shown again: the same bytes, never re-signed.
    item.state === 'sent' && actions(button('Show payment', () => ctx.go({ to: 'payment', item }))),
  );
}

/** The History screen. */
export async function historyScreen(ctx: Ctx): Promise<void> {
  const items = await listHistory(ctx.app.db);
  ctx.show(
    'History',
    items.length === 0
      ? h('p', { class: 'muted' }, 'No payments yet.')
      : h('ul', { class: 'list history' }, ...items.map((item) => row(ctx, item))),
  );
}

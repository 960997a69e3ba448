/**
 * Webhooks: the delivery log of every merchant endpoint, newest first — what was sent, how many
 * attempts, the last answer, and when the next try is due — filtered by status.
 */
import { routes, WEBHOOK_DELIVERY_STATUSES, type AnswerOf } from '@offpay/api';
import { h } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant } from '../format.js';
import { loaded } from '../panel.js';
import { dataTable } from '../table.js';

type Delivery = AnswerOf<typeof routes.operatorWebhookDeliveries>['deliveries'][number];

/** The last attempt of a delivery in words. */
export function lastAttempt(d: Delivery): string {
  if (d.lastAttemptAt === null) return 'not tried yet';
  const answer =
    d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? 'no answer');
  return `${answer} at ${formatInstant(d.lastAttemptAt)}`;
}

export function webhooksScreen(ctx: Ctx): Promise<void> {
  const status = h(
    'select',
    { id: 'delivery-status' },
    h('option', { value: '' }, 'all'),
    ...WEBHOOK_DELIVERY_STATUSES.map((s) => h('option', { value: s }, s)),
  );
  const list = loaded(async () => {
    const chosen = status.value as Delivery['status'] | '';
    const { deliveries } = await ctx.app.call(routes.operatorWebhookDeliveries, {
      query: { ...(chosen ? { status: chosen } : {}), limit: 200 },
    });
    return [
      dataTable<Delivery>(
        chosen ? `Deliveries: ${chosen}, newest first` : 'Deliveries, newest first',
        [
          { header: 'Event', cell: (d) => d.type },
          { header: 'Endpoint', cell: (d) => h('span', { class: 'mono' }, d.url) },
          {
            header: 'Status',
            cell: (d) => h('span', { class: 'pill', 'data-state': d.status }, d.status),
          },
          { header: 'Attempts', cell: (d) => d.attempts, numeric: true },
          { header: 'Last attempt', cell: (d) => lastAttempt(d) },
          { header: 'Next attempt', cell: (d) => formatInstant(d.nextAttemptAt) },
          { header: 'Created', cell: (d) => formatInstant(d.createdAt) },
        ],
        deliveries,
        'No deliveries.',
      ),
    ];
  });
  status.addEventListener('change', () => void list.refresh());
  ctx.show(
    'Webhooks',
    h(
      'p',
      { class: 'muted' },
      'What the bank sent to merchants’ webhook endpoints, and how each delivery went.',
    ),
    h(
      'div',
      { class: 'field field-inline' },
      h('label', { for: 'delivery-status' }, 'Status'),
      status,
    ),
    list.element,
  );
  return list.refresh();
}

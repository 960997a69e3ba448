/** Refunds: every refund merchants made, newest first, with the payer it went back to. */
import { routes, type AnswerOf } from '@offpay/api';
import { h } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant, formatMinor } from '../format.js';
import { loaded } from '../panel.js';
import { dataTable } from '../table.js';

type Refund = AnswerOf<typeof routes.operatorRefunds>['refunds'][number];

export function refundsScreen(ctx: Ctx): Promise<void> {
  const list = loaded(async () => {
    const { refunds } = await ctx.app.call(routes.operatorRefunds, { query: { limit: 200 } });
    return [
      dataTable<Refund>(
        'Refunds, newest first',
        [
          { header: 'When', cell: (r) => formatInstant(r.createdAt) },
          { header: 'Merchant', cell: (r) => r.merchantEmail },
          { header: 'Payer', cell: (r) => r.payerEmail },
          { header: 'Amount', cell: (r) => formatMinor(r.amountMinor, r.currency), numeric: true },
          { header: 'Reason', cell: (r) => r.reason || '—' },
          { header: 'Payment', cell: (r) => h('span', { class: 'mono' }, r.paymentId) },
          {
            header: 'Certificates',
            cell: (r) => `payer #${r.payerSerial} → payee #${r.payeeSerial}`,
          },
        ],
        refunds,
        'No refunds yet.',
      ),
    ];
  });
  ctx.show('Refunds', list.element);
  return list.refresh();
}

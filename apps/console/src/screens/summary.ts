/** Daily summary: one UTC day's figures per currency and counts, and the same as CSV. */
import { routes, type AnswerOf } from '@offpay/api';
import { field, h, section } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatMinor, todayUtc } from '../format.js';
import { checkedForm, InputError, saveFile } from '../forms.js';
import { dataTable, facts } from '../table.js';

type Summary = AnswerOf<typeof routes.operatorSummary>;
type PerCurrency = Summary['currencies'][number];

const tally = (t: { count: number; valueMinor: string }, currency: string) =>
  `${t.count} · ${formatMinor(t.valueMinor, currency)}`;

function shown(s: Summary): HTMLElement[] {
  return [
    dataTable<PerCurrency>(
      `Money on ${s.date} (UTC), per currency`,
      [
        { header: 'Currency', cell: (c) => c.currency },
        { header: 'Settlements', cell: (c) => tally(c.settlements, c.currency), numeric: true },
        { header: 'Refunds', cell: (c) => tally(c.refunds, c.currency), numeric: true },
        { header: 'Deposits', cell: (c) => tally(c.deposits, c.currency), numeric: true },
        { header: 'Payouts paid', cell: (c) => tally(c.payoutsPaid, c.currency), numeric: true },
        {
          header: 'Payouts failed',
          cell: (c) => tally(c.payoutsFailed, c.currency),
          numeric: true,
        },
        {
          header: 'Reserves at end of day',
          cell: (c) => formatMinor(c.reservesOutstandingMinor, c.currency),
          numeric: true,
        },
      ],
      s.currencies,
      'No money moved that day.',
    ),
    section(
      'Counts',
      facts([
        ['Fraud proofs', String(s.fraudProofs)],
        [
          'Revocations',
          `${s.revocations.total} (${Object.entries(s.revocations.byReason)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`,
        ],
        ['New merchants', String(s.newMerchants)],
      ]),
    ),
  ];
}

export function summaryScreen(ctx: Ctx): void {
  const date = field('Day (UTC)', { type: 'date', value: todayUtc(), required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const day = (): string => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date.input.value)) throw new InputError('Pick a day.');
    return date.input.value;
  };
  const show = checkedForm('Show summary', [date.element], async () => {
    out.replaceChildren(
      ...shown(await ctx.app.call(routes.operatorSummary, { query: { date: day() } })),
    );
  });
  const csv = checkedForm('Download summary (CSV)', [], async () => {
    const d = day();
    saveFile(
      `summary-${d}.csv`,
      await ctx.app.text(routes.operatorSummaryCsv, { query: { date: d } }),
      'text/csv',
    );
  });
  ctx.show('Daily summary', show, csv, out);
  show.requestSubmit();
}

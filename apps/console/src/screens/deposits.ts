/**
 * Deposits: money received at the outside bank credited to a customer's account from clearing —
 * one by one, or by importing the outside bank's statement file (CSV), each row applied once per
 * reference; and the deposits made, newest first.
 */
import { routes, STATEMENT_COLUMNS, type AnswerOf } from '@offpay/api';
import { field, h, readFileText, section } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { formatInstant, formatMinor, parseAmount } from '../format.js';
import { checkedForm, checkReason, InputError, reasonField } from '../forms.js';
import { loaded, outcome } from '../panel.js';
import { dataTable } from '../table.js';

type Deposit = AnswerOf<typeof routes.listDeposits>['deposits'][number];
type ImportRow = AnswerOf<typeof routes.importStatement>['rows'][number];

function depositForm(ctx: Ctx, done: (title: string, text: string) => Promise<void>) {
  const reference = field(
    'External reference',
    { required: true, autocomplete: 'off' },
    'What the outside bank’s statement calls this credit: a deposit is applied once per reference.',
  );
  const account = field('Account (id or owner’s email)', { required: true, autocomplete: 'off' });
  const amount = field('Amount', { required: true, inputmode: 'decimal', autocomplete: 'off' });
  const currency = field('Currency', {
    required: true,
    value: 'EUR',
    maxlength: 3,
    autocomplete: 'off',
  });
  const valueDate = field('Value date (optional)', { type: 'date' });
  const reason = reasonField();
  return checkedForm(
    'Credit the account',
    [
      reference.element,
      account.element,
      amount.element,
      currency.element,
      valueDate.element,
      reason.element,
    ],
    async () => {
      const cur = currency.input.value.trim().toUpperCase();
      const answer = await ctx.app.call(routes.createDeposit, {
        body: {
          reference: reference.input.value.trim(),
          account: account.input.value.trim(),
          amountMinor: parseAmount(amount.input.value, cur),
          currency: cur,
          ...(valueDate.input.value ? { valueDate: valueDate.input.value } : {}),
          reason: checkReason(reason.input.value),
        },
      });
      const d = answer.deposit;
      await done(
        answer.outcome === 'applied' ? 'Deposit applied' : 'Already applied before',
        `${formatMinor(d.amountMinor, d.currency)} to account ${d.accountId} (reference ${d.reference}, deposit #${d.id})`,
      );
    },
  );
}

function importForm(
  ctx: Ctx,
  rows: HTMLElement,
  done: (title: string, text: string) => Promise<void>,
) {
  const file = field(
    'Statement file (CSV)',
    { type: 'file', accept: '.csv,text/csv' },
    `A header row, then ${STATEMENT_COLUMNS.join(', ')}.`,
  );
  const reason = reasonField();
  return checkedForm('Import statement', [file.element, reason.element], async () => {
    const picked = file.input.files?.[0];
    if (!picked) throw new InputError('Choose the statement file first.');
    const why = checkReason(reason.input.value);
    const answer = await ctx.app.call(routes.importStatement, {
      body: { csv: await readFileText(picked), reason: why },
    });
    const c = answer.counts;
    rows.replaceChildren(
      dataTable<ImportRow>(
        `Import #${answer.importId}: each row's outcome`,
        [
          { header: 'Line', cell: (r) => r.line, numeric: true },
          { header: 'Reference', cell: (r) => r.reference ?? '—' },
          {
            header: 'Outcome',
            cell: (r) =>
              h(
                'span',
                { class: 'pill', 'data-state': r.outcome === 'refused' ? 'refused' : 'settled' },
                r.outcome.replace('_', ' '),
              ),
          },
          { header: 'Deposit', cell: (r) => (r.depositId ? `#${r.depositId}` : '—') },
          { header: 'Why refused', cell: (r) => (r.code ? `${r.code}: ${r.message ?? ''}` : '—') },
        ],
        answer.rows,
      ),
    );
    await done(
      `Statement imported: ${c.applied} applied, ${c.alreadyApplied} already applied, ${c.refused} refused`,
      `${c.total} rows in the file.`,
    );
  });
}

export function depositsScreen(ctx: Ctx): Promise<void> {
  const result = outcome();
  const importRows = h('div', { class: 'import-rows' });
  const list = loaded(async () => {
    const { deposits } = await ctx.app.call(routes.listDeposits, { query: { limit: 100 } });
    return [
      dataTable<Deposit>(
        'Deposits, newest first',
        [
          { header: 'Deposit', cell: (d) => `#${d.id}` },
          { header: 'Reference', cell: (d) => d.reference },
          { header: 'Account', cell: (d) => h('span', { class: 'mono' }, d.accountId) },
          { header: 'Amount', cell: (d) => formatMinor(d.amountMinor, d.currency), numeric: true },
          { header: 'Value date', cell: (d) => d.valueDate ?? '—' },
          { header: 'Import', cell: (d) => (d.importId ? `#${d.importId}` : 'by hand') },
          { header: 'Made', cell: (d) => formatInstant(d.createdAt) },
        ],
        deposits,
        'No deposits yet.',
      ),
    ];
  });
  const done = async (title: string, text: string): Promise<void> => {
    result.say('ok', title, text);
    await list.refresh();
  };
  ctx.show(
    'Deposits',
    result.element,
    h(
      'div',
      { class: 'columns' },
      section('One deposit', depositForm(ctx, done)),
      section('Import a statement', importForm(ctx, importRows, done), importRows),
    ),
    list.element,
  );
  return list.refresh();
}

/**
 * Accounts: search customers, merchants and the bank's own accounts by email, name or id, with
 * their balances; one account's detail — balances, history (each posting with its other side)
 * and its statement as CSV for a range of days.
 */
import { ACCOUNT_HOLDERS, routes, type AnswerOf } from '@offpay/api';
import { field, h, section } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { dayRange, formatInstant, formatMinor, todayUtc } from '../format.js';
import { checkedForm, saveFile } from '../forms.js';
import { loaded } from '../panel.js';
import { dataTable, facts } from '../table.js';

type Account = AnswerOf<typeof routes.operatorAccounts>['accounts'][number];
type Posting = AnswerOf<typeof routes.operatorAccount>['postings'][number];

/** Who holds the account, in words. */
function holderOf(a: Account): string {
  if (a.holder === 'system') return `the bank (${a.kind})`;
  return a.displayName ? `${a.displayName} <${a.email ?? '?'}>` : (a.email ?? a.accountId);
}

export function accountsScreen(ctx: Ctx): Promise<void> {
  const query = field(
    'Search',
    { type: 'search', autocomplete: 'off' },
    'An email, a name, or an account id.',
  );
  const holder = h(
    'select',
    { id: 'account-holder' },
    h('option', { value: '' }, 'all'),
    ...ACCOUNT_HOLDERS.map((k) => h('option', { value: k }, k)),
  );
  const list = loaded(async () => {
    const q = query.input.value.trim();
    const { accounts } = await ctx.app.call(routes.operatorAccounts, {
      query: {
        ...(q ? { query: q } : {}),
        ...(holder.value ? { holder: holder.value as Account['holder'] } : {}),
        limit: 100,
      },
    });
    return [
      dataTable<Account>(
        q ? `Accounts matching “${q}”` : 'Accounts',
        [
          { header: 'Holder', cell: (a) => holderOf(a) },
          { header: 'Kind', cell: (a) => a.kind },
          {
            header: 'Balance',
            cell: (a) => formatMinor(a.balanceMinor, a.currency),
            numeric: true,
          },
          {
            header: 'Reserved',
            cell: (a) => formatMinor(a.reservedMinor, a.currency),
            numeric: true,
          },
          {
            header: 'Payouts in flight',
            cell: (a) => formatMinor(a.payoutsInFlightMinor, a.currency),
            numeric: true,
          },
          {
            header: 'Detail',
            cell: (a) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'btn-link',
                  onclick: () => ctx.go({ to: 'account', id: a.accountId }),
                },
                `Open ${holderOf(a)} (${a.kind})`,
              ),
          },
        ],
        accounts,
        'No account matches.',
      ),
    ];
  });
  const search = checkedForm(
    'Search',
    [
      query.element,
      h('div', { class: 'field' }, h('label', { for: 'account-holder' }, 'Holder'), holder),
    ],
    () => list.refresh(),
    { role: 'search' },
  );
  ctx.show('Accounts', search, list.element);
  return list.refresh();
}

/** "Download statement (CSV)" for a range of days. */
function statementForm(ctx: Ctx, account: Account): HTMLFormElement {
  const today = todayUtc();
  const from = field('From (first day)', {
    type: 'date',
    value: `${today.slice(0, 8)}01`,
    required: true,
  });
  const to = field('To (last day)', { type: 'date', value: today, required: true });
  return checkedForm('Download statement (CSV)', [from.element, to.element], async (messages) => {
    const range = dayRange(from.input.value, to.input.value);
    const csv = await ctx.app.text(routes.operatorAccountStatement, {
      params: { id: account.accountId },
      query: range,
    });
    saveFile(
      `statement-${account.accountId}-${from.input.value}-${to.input.value}.csv`,
      csv,
      'text/csv',
    );
    messages.say(
      'ok',
      'Statement downloaded',
      `${from.input.value} to ${to.input.value}, both days included (UTC).`,
    );
  });
}

export async function accountScreen(ctx: Ctx, id: string): Promise<void> {
  const { account, postings } = await ctx.app.call(routes.operatorAccount, {
    params: { id },
    query: { limit: 200 },
  });
  const money = (m: string) => formatMinor(m, account.currency);
  ctx.show(
    `Account: ${holderOf(account)}`,
    h(
      'p',
      {},
      h(
        'button',
        { type: 'button', class: 'btn-link', onclick: () => ctx.go({ to: 'accounts' }) },
        'Back to accounts',
      ),
    ),
    section(
      'Balances',
      facts([
        ['Account', h('span', { class: 'mono' }, account.accountId)],
        ['Holder', `${account.holder} · ${account.kind}`],
        ['Balance', money(account.balanceMinor)],
        ['Reserved for payer certificates', money(account.reservedMinor)],
        ['Payouts in flight', money(account.payoutsInFlightMinor)],
        ['Opened', formatInstant(account.createdAt)],
      ]),
    ),
    section('Statement', statementForm(ctx, account)),
    dataTable<Posting>(
      'History, newest first',
      [
        { header: 'When', cell: (p) => formatInstant(p.at) },
        { header: 'What', cell: (p) => p.kind.replaceAll('_', ' ') },
        { header: 'Reference', cell: (p) => h('span', { class: 'mono' }, p.reference) },
        {
          header: 'Other side',
          cell: (p) =>
            p.counterparties
              .map((c) => `${c.email ?? c.kind} ${money(c.amountMinor)}`)
              .join('; ') || '—',
        },
        { header: 'Amount', cell: (p) => money(p.amountMinor), numeric: true },
      ],
      postings,
      'No postings yet.',
    ),
  );
}

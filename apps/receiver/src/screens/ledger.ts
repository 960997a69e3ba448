/** The ledger: its integrity check on every visit, then every entry newest first. */
import { describeError, h, notice, plainReason, showScreen } from '@offpay/app-kit';
import type { App } from '../app.js';
import { checkLedger, ledgerRows, type LedgerRow } from '../state/ledger.js';
import { button, dateTime } from './form.js';

/** The ledger screen. */
export async function ledgerScreen(app: App): Promise<void> {
  const till = app.till;
  if (!till) return app.go('home');
  let check: HTMLElement;
  try {
    const records = await checkLedger(app.db, till);
    app.ledgerAlarm = undefined;
    const n = records.length;
    check = notice('ok', `Ledger intact: ${n} ${n === 1 ? 'entry' : 'entries'}`);
  } catch (e) {
    const { title, text } = describeError(e);
    app.ledgerAlarm = { title: `Ledger damaged: ${title}`, text };
    check = notice('error', 'Ledger damaged', text);
  }
  let list: HTMLElement;
  try {
    const rows = await ledgerRows(app.db, till);
    list =
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No payments yet.')
        : h('ol', { class: 'list ledger-list', reversed: true }, ...rows.map(rowView));
  } catch (e) {
    list = notice('error', 'Entries cannot be listed', describeError(e).text);
  }
  showScreen(
    app.root,
    'Ledger',
    check,
    list,
    h(
      'div',
      { class: 'actions' },
      button('Settle', () => app.go('settle')),
    ),
  );
}

function rowView(row: LedgerRow): HTMLElement {
  return h(
    'li',
    { class: 'ledger-row', 'data-index': row.index },
    h('span', { class: 'ledger-index' }, `#${row.index}`),
    h('span', { class: 'ledger-amount' }, row.amount.toString()),
    h('span', { class: 'ledger-date muted' }, dateTime(row.acceptedAt)),
    h('span', { class: 'pill', 'data-state': row.status }, row.status),
    row.status === 'rejected' && h('p', { class: 'ledger-reason' }, plainReason(row.code)),
  );
}

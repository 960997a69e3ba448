/** The ledger: its integrity check on every visit, then every entry newest first. */
import {
  actions,
  button,
  describeError,
  entryNumber,
  entryReason,
  formatTime,
  h,
  notice,
} from '@offpay/app-kit';
import { checkLedgerQuietly, type Ctx } from '../ctx.js';
import { ledgerRows, type LedgerRow } from '../state/ledger.js';

function rowView(ctx: Ctx, row: LedgerRow): HTMLElement {
  return h(
    'li',
    { class: 'ledger-row', 'data-index': row.index },
    h('span', { class: 'ledger-index' }, `Entry ${entryNumber(row.index)}`),
    h('span', { class: 'ledger-amount' }, row.amount.toString()),
    h('span', { class: 'pill', 'data-state': row.status }, row.status),
    h('span', { class: 'ledger-date muted' }, formatTime(row.acceptedAt)),
    row.memo !== '' && h('span', { class: 'memo' }, row.memo),
    row.status === 'rejected' && h('p', { class: 'ledger-reason' }, entryReason(row.code)),
    row.status === 'settled' &&
      h(
        'button',
        {
          type: 'button',
          class: 'btn-secondary ledger-refund',
          'aria-label': `Refund entry ${entryNumber(row.index)} (${row.amount.toString()})`,
          onclick: () => ctx.go({ to: 'refund', row }),
        },
        'Refund',
      ),
  );
}

/** The ledger screen. */
export async function ledgerScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  const till = app.till;
  if (!till) return ctx.go({ to: 'home' });
  const n = await checkLedgerQuietly(app);
  const alarm = app.ledgerAlarm;
  const check =
    n === undefined
      ? notice('error', 'Ledger damaged', alarm?.text)
      : notice('ok', `Ledger intact: ${n} ${n === 1 ? 'entry' : 'entries'}`);
  let list: HTMLElement;
  try {
    const rows = await ledgerRows(app.db, till);
    list =
      rows.length === 0
        ? h('p', { class: 'muted' }, 'No payments yet.')
        : h(
            'ol',
            { class: 'list ledger-list', reversed: true },
            ...rows.map((row) => rowView(ctx, row)),
          );
  } catch (e) {
    list = notice('error', 'Entries cannot be listed', describeError(e).text);
  }
  ctx.show('Ledger', check, list, actions(button('Settle', () => ctx.go({ to: 'settle' }))));
}

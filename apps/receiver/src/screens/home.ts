/** Home ("Till"): the shop's name, what is waiting to be settled, and the way to everything. */
import { errorNotice, h, notice, showScreen, trustedNow } from '@offpay/app-kit';
import { Money } from '@offpay/protocol';
import type { App } from '../app.js';
import { ledgerSummary } from '../state/ledger.js';
import { latestOpenRequest } from '../state/requests.js';
import { button } from './form.js';
import { showWaiting } from './request.js';

/** The home screen. */
export async function homeScreen(app: App): Promise<void> {
  const till = app.till;
  if (!till) return app.go(app.vault ? 'enroll' : 'unlock');
  const summary = h('p', { class: 'till-summary' });
  try {
    const s = await ledgerSummary(app.db, till);
    summary.textContent = `${s.count} payment${s.count === 1 ? '' : 's'}, ${s.unsettled.toString()} not yet settled`;
  } catch {
    summary.textContent = 'The ledger could not be read.';
  }
  const open = await openRequestButton(app);
  showScreen(
    app.root,
    'Till',
    h('p', { class: 'display-name' }, till.cert.displayName),
    summary,
    app.ledgerAlarm && notice('error', app.ledgerAlarm.title, app.ledgerAlarm.text),
    app.refreshNote && notice('info', 'Offline information', app.refreshNote),
    h(
      'div',
      { class: 'actions actions-stack' },
      button('Request payment', () => app.go('request'), true),
      open,
      button('Ledger', () => app.go('ledger')),
      button('Settle', () => app.go('settle')),
      button('Backup and settings', () => app.go('settings')),
    ),
  );
}

/** "Show open request" when a request made before a reload is still open. */
async function openRequestButton(app: App): Promise<HTMLElement | undefined> {
  let now: number;
  try {
    now = await trustedNow(app.db);
  } catch (e) {
    return errorNotice(e);
  }
  const open = await latestOpenRequest(app.db, now);
  if (!open || !app.till) return undefined;
  const amount = Money.of(open.amount, app.till.cert.currency).toString();
  return button(`Show open request (${amount})`, () => showWaiting(app, open));
}

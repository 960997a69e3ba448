/**
 * Home ("Till"): the shop's name and merchant code (docs/protocol.md §5.5: what payers compare
 * with their wallet), what is waiting to be settled, and the way to everything.
 */
import { button, errorNotice, h, homeBody, notice, trustedNow } from '@offpay/app-kit';
import { merchantCode, Money } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { ledgerSummary, summaryLine } from '../state/ledger.js';
import { latestOpenRequest } from '../state/requests.js';

/** "Show open request" when a request made before a reload is still open. */
async function openRequestButton(ctx: Ctx): Promise<HTMLElement | undefined> {
  const { app } = ctx;
  let now: number;
  try {
    now = await trustedNow(app.db);
  } catch (e) {
    return errorNotice(e);
  }
  const open = await latestOpenRequest(app.db, now);
  if (!open || !app.till) return undefined;
  const amount = Money.of(open.amount, app.till.cert.currency).toString();
  return button(`Show open request (${amount})`, () => ctx.go({ to: 'waiting', request: open }));
}

/** The home screen. */
export async function homeScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  const till = app.till;
  if (!till) return ctx.go(app.vault ? { to: 'enroll' } : { to: 'unlock' });
  const summary = await ledgerSummary(app.db, till).then(
    summaryLine,
    () => 'The ledger could not be read.',
  );
  const alarm = app.ledgerAlarm;
  ctx.show(
    'Till',
    ...homeBody(
      'Till',
      [
        h('p', { class: 'display-name' }, till.cert.displayName),
        h(
          'p',
          { class: 'merchant-code' },
          'Merchant code ',
          h('strong', {}, merchantCode(till.cert)),
        ),
        h('p', { class: 'till-summary' }, summary),
      ],
      [alarm && notice('error', alarm.title, alarm.text)],
      [
        button('Request payment', () => ctx.go({ to: 'request' }), 'primary'),
        await openRequestButton(ctx),
        button('Ledger', () => ctx.go({ to: 'ledger' })),
        button('Settle', () => ctx.go({ to: 'settle' })),
        button('Backup and settings', () => ctx.go({ to: 'settings' })),
      ],
    ),
  );
}

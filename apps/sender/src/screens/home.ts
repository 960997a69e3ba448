/** Home ("Wallet"): the allowance left, what was spent, until when, and where to go next. */
import { button, formatDate, formatTime, h, homeBody, notice, plural } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { PAYMENT_STATES } from '../db.js';
import { countByState, listHistory } from '../state/history.js';
import { overview, walletStatus, type Overview } from '../state/wallet.js';

function standing(o: Overview): HTMLElement | undefined {
  const renew = 'Renew your allowance to keep paying: the bank reserves a new one.';
  if (o.revoked) return notice('error', 'Certificate revoked', `Receivers refuse it. ${renew}`);
  if (o.expired) return notice('error', 'Certificate expired', renew);
  if (o.renewSuggested) {
    return notice(
      'info',
      'Allowance expires soon',
      `It is valid until ${formatTime(o.cert.expiresAt)}. ${renew}`,
    );
  }
  return undefined;
}

/** The Home screen; an unenrolled or restored wallet goes to Enroll instead. */
export async function homeScreen(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  const vault = app.unlocked();
  if ((await walletStatus(app.db)) !== 'enrolled') return ctx.go({ to: 'enroll' });
  const o = await overview(app.db, vault, Math.floor(Date.now() / 1000));
  const items = await listHistory(app.db);
  const byState = countByState(items);
  const states = PAYMENT_STATES.filter((s) => byState[s] > 0).map((s) => `${byState[s]} ${s}`);
  ctx.show(
    'Wallet',
    ...homeBody(
      'Allowance',
      [
        h('p', { class: 'amount-big' }, `${o.remaining.toString()} left`),
        h('p', {}, `Spent ${o.spent.toString()} of ${o.limit.toString()}`),
        h('p', { class: 'muted' }, `Valid until ${formatDate(o.cert.expiresAt)}`),
        h(
          'p',
          { class: 'muted' },
          items.length === 0
            ? 'No payments yet.'
            : `${plural(items.length, 'payment')}: ${states.join(', ')}.`,
        ),
      ],
      [standing(o)],
      [
        button(
          'Pay',
          () => ctx.go({ to: 'pay' }),
          o.renewSuggested && (o.expired || o.revoked) ? 'secondary' : 'primary',
        ),
        o.renewSuggested &&
          button(
            'Renew allowance',
            () => ctx.go({ to: 'enroll', renew: true }),
            o.expired || o.revoked ? 'primary' : 'secondary',
          ),
        button('History', () => ctx.go({ to: 'history' })),
        button('Sync with bank', () => ctx.go({ to: 'sync' })),
        button('Backup and settings', () => ctx.go({ to: 'settings' })),
      ],
    ),
  );
}

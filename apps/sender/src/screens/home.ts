/** Home ("Wallet"): the allowance left, what was spent, until when, and where to go next. */
import { h, notice } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { listHistory, summarize, type HistorySummary } from '../state/history.js';
import { overview, walletStatus, type Overview } from '../state/wallet.js';
import { button, formatDate, formatTime } from './parts.js';

function standing(o: Overview): HTMLElement | undefined {
  if (o.revoked) {
    return notice(
      'error',
      'Certificate revoked',
      'Receivers will refuse payments from it. Renew to get a new certificate.',
    );
  }
  if (o.expired) {
    return notice('error', 'Certificate expired', 'Renew to keep paying.');
  }
  if (o.renewSuggested) {
    return notice(
      'info',
      'Certificate expires soon',
      `It is valid until ${formatTime(o.cert.expiresAt)}.`,
    );
  }
  return undefined;
}

function historyLine(s: HistorySummary): string {
  if (s.count === 0) return 'No payments yet.';
  const parts = (['sent', 'receipted', 'settled', 'rejected'] as const)
    .filter((state) => s.byState[state] > 0)
    .map((state) => `${s.byState[state]} ${state}`);
  return `${s.count} ${s.count === 1 ? 'payment' : 'payments'}: ${parts.join(', ')}.`;
}

/** The Home screen; an unenrolled or restored wallet goes to Enroll instead. */
export async function homeScreen(ctx: Ctx): Promise<void> {
  const vault = ctx.unlocked();
  if ((await walletStatus(ctx.db)) !== 'enrolled') {
    ctx.go({ to: 'enroll' });
    return;
  }
  const o = await overview(ctx.db, vault, Math.floor(Date.now() / 1000));
  const summary = summarize(await listHistory(ctx.db));
  ctx.show(
    'Wallet',
    h(
      'section',
      { class: 'card allowance', 'aria-label': 'Allowance' },
      h('p', { class: 'amount-big' }, `${o.remaining.toString()} left`),
      h('p', {}, `Spent ${o.spent.toString()} of ${o.limit.toString()}`),
      h('p', { class: 'muted' }, `Valid until ${formatDate(o.cert.expiresAt)}`),
    ),
    standing(o),
    h('p', { class: 'history-summary' }, historyLine(summary)),
    h(
      'div',
      { class: 'actions actions-stack' },
      button('Pay', () => ctx.go({ to: 'pay' }), 'primary'),
      o.renewSuggested && button('Renew', () => ctx.go({ to: 'enroll', renew: true }), 'primary'),
      button('History', () => ctx.go({ to: 'history' })),
      button('Sync with bank', () => ctx.go({ to: 'sync' })),
      button('Backup and settings', () => ctx.go({ to: 'settings' })),
    ),
  );
}

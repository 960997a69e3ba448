/**
 * Sync with bank: which payments settled, what the bank counts as left of the allowance, and
 * Renew. Needs the bank token; without one in memory the user signs in first.
 */
import { errorNotice, h, notice } from '@offpay/app-kit';
import { isAppError } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { syncWithBank, type SyncOutcome } from '../state/sync.js';
import { signInFields } from './enroll.js';
import { button, form, formatTime, homeButton } from './parts.js';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function outcomeView(ctx: Ctx, o: SyncOutcome): HTMLElement {
  const changes: string[] = [];
  if (o.newlySettled > 0)
    changes.push(`${plural(o.newlySettled, 'payment', 'payments')} newly settled.`);
  if (o.newlyRejected > 0) {
    changes.push(
      `${plural(o.newlyRejected, 'payment', 'payments')} can no longer settle: marked rejected.`,
    );
  }
  const c = o.current;
  return h(
    'section',
    { class: 'card sync-outcome', 'aria-label': 'Sync result' },
    notice('ok', 'Synced with the bank', `Bank time ${formatTime(o.bankTime)}.`),
    c
      ? h(
          'div',
          {},
          h(
            'p',
            { class: 'sync-settled' },
            `Settled: ${c.settledCountAtLeast ? 'at least ' : ''}${plural(c.settledCount, 'payment', 'payments')}, ${c.settled.toString()}`,
          ),
          h(
            'p',
            { class: 'sync-remaining' },
            `Remaining allowance at the bank: ${c.remaining.toString()} of ${c.limit.toString()}`,
          ),
          c.status !== 'active' &&
            notice('error', `Certificate ${c.status}`, 'Renew to keep paying.'),
        )
      : h('p', { class: 'muted' }, 'The bank lists no payments for this wallet’s certificate yet.'),
    ...changes.map((text) => h('p', {}, text)),
    o.revocationsFailed &&
      notice(
        'info',
        'Revocation list not refreshed',
        'It will be refreshed the next time you are online.',
      ),
    o.renewSuggested &&
      notice(
        'info',
        'Time to renew',
        'Your certificate is closed, revoked or expires within a day.',
      ),
    h(
      'div',
      { class: 'actions' },
      button(
        'Renew',
        () => ctx.go({ to: 'enroll', renew: true }),
        o.renewSuggested ? 'primary' : 'secondary',
      ),
      button('History', () => ctx.go({ to: 'history' })),
      button('Sync again', () => ctx.go({ to: 'sync' })),
    ),
  );
}

function signInForm(ctx: Ctx, run: (token: string) => Promise<void>): HTMLElement {
  const signIn = signInFields();
  return form('Sign in', signIn.elements, async () => {
    const token = await (await ctx.bank()).login(signIn.email.value, signIn.password.value);
    signIn.password.value = '';
    ctx.token = token;
    await run(token);
  });
}

/** The Sync screen ("Sync with bank"). */
export function syncScreen(ctx: Ctx): void {
  const area = h('div', { class: 'sync-area', 'aria-live': 'polite' });
  const run = async (token: string): Promise<void> => {
    area.replaceChildren(h('p', { class: 'muted' }, 'Asking the bank…'));
    try {
      area.replaceChildren(outcomeView(ctx, await syncWithBank(ctx.db, await ctx.bank(), token)));
    } catch (e) {
      // An expired or revoked token: forget it and sign in again.
      const signedOut = isAppError(e) && /^BANK_(TOKEN_|AUTH_REQUIRED)/.test(e.code);
      if (signedOut) ctx.token = undefined;
      area.replaceChildren(
        errorNotice(e),
        signedOut ? signInForm(ctx, run) : button('Try again', () => ctx.go({ to: 'sync' })),
      );
    }
  };
  ctx.show('Sync with bank', area, homeButton(ctx));
  if (ctx.token) void run(ctx.token);
  else {
    area.replaceChildren(
      h('p', { class: 'muted' }, 'Sign in to your bank to see what settled.'),
      signInForm(ctx, run),
    );
  }
}

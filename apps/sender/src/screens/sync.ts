/**
 * Sync with bank: which payments settled, what the bank counts as left of the allowance, and
 * Renew. Needs the bank session; without a token the user signs in first.
 */
import {
  actions,
  button,
  errorNotice,
  followBankKeys,
  form,
  formatTime,
  h,
  isSignedOut,
  notice,
  plural,
  signInFields,
} from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { syncWithBank, type SyncOutcome } from '../state/sync.js';

const payments = (n: number) => plural(n, 'payment');

/** The current certificate as the bank sees it: what settled, and what is left at the bank. */
function bankLines(c: SyncOutcome['current']): HTMLElement {
  if (!c)
    return h(
      'p',
      { class: 'muted' },
      'The bank lists no payments for this wallet’s certificate yet.',
    );
  const settled = `${c.settledCountAtLeast ? 'at least ' : ''}${payments(c.settledCount)}, ${c.settled.toString()}`;
  return h(
    'div',
    {},
    h('p', {}, `Settled: ${settled}`),
    h(
      'p',
      {},
      `Left of your allowance at the bank: ${c.remaining.toString()} of ${c.limit.toString()}`,
    ),
    c.status !== 'active' &&
      notice('error', `Certificate ${c.status}`, 'Renew your allowance to keep paying.'),
  );
}

function outcomeView(ctx: Ctx, o: SyncOutcome): HTMLElement {
  const renew =
    'Your allowance ends within a day, or its certificate is closed or revoked. Renewing reserves a new allowance.';
  return h(
    'section',
    { class: 'card sync-outcome', 'aria-label': 'Sync result' },
    notice(
      'ok',
      'Synced with the bank',
      `Up to date with your bank as of ${formatTime(o.bankTime)}.`,
    ),
    bankLines(o.current),
    o.newlySettled > 0 && h('p', {}, `${payments(o.newlySettled)} newly settled.`),
    o.newlyRejected > 0 &&
      h('p', {}, `${payments(o.newlyRejected)} can no longer settle: marked rejected.`),
    o.revocationsFailed &&
      notice(
        'info',
        'Revocation list not refreshed',
        'It will be refreshed the next time you are online.',
      ),
    o.renewSuggested && notice('info', 'Time to renew', renew),
    actions(
      o.renewSuggested &&
        button('Renew allowance', () => ctx.go({ to: 'enroll', renew: true }), 'primary'),
      button('History', () => ctx.go({ to: 'history' })),
      button('Sync again', () => ctx.go({ to: 'sync' })),
    ),
  );
}

/** The Sync screen ("Sync with bank"). */
export function syncScreen(ctx: Ctx): void {
  const { app } = ctx;
  const area = h('div', { class: 'sync-area', 'aria-live': 'polite' });
  const signIn = (): HTMLElement => {
    const fields = signInFields();
    return form('Sign in', fields.elements, async () => {
      await app.bank.signIn(fields.email.value, fields.password.value);
      await run();
    });
  };
  const run = async (): Promise<void> => {
    area.replaceChildren(h('p', { class: 'muted' }, 'Asking the bank…'));
    try {
      const outcome = await app.bank.authed(async (client, token) => {
        // The bank's key announcements first (docs/protocol.md §12): results and lists signed by
        // a key it just announced verify.
        await followBankKeys(app.db, client);
        return syncWithBank(app.db, client, token);
      });
      area.replaceChildren(outcomeView(ctx, outcome));
    } catch (e) {
      area.replaceChildren(
        errorNotice(e),
        isSignedOut(e) ? signIn() : actions(button('Try again', () => ctx.go({ to: 'sync' }))),
      );
    }
  };
  ctx.show('Sync with bank', area);
  if (app.bank.signedIn) void run();
  else
    area.replaceChildren(
      h('p', { class: 'muted' }, 'Sign in to your bank to see what settled.'),
      signIn(),
    );
}

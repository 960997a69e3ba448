/**
 * Enroll (and renew): sign in to the bank and get a payer certificate for an allowance. A restored
 * wallet lands here with its notice: it never resumes the old certificate (DESIGN.md §3 "Restore").
 */
import { actions, button, field, form, h, notice, signInFields } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { enrollWallet } from '../state/enroll.js';
import { mustEnroll } from '../state/wallet.js';

function intro(restored: boolean, renew: boolean): HTMLElement {
  if (restored) {
    return notice(
      'info',
      'Restored from a backup: enroll again before paying',
      'Your history is back. This wallet gets a new key and certificate; the old certificate is never used again.',
    );
  }
  if (renew) {
    return notice(
      'info',
      'Renew your allowance',
      'The bank reserves a new allowance and certifies a new key; your history stays. What the old allowance did not spend returns to your account after it expires and a grace period passes.',
    );
  }
  return h(
    'p',
    { class: 'muted' },
    'Sign in to your bank once, online. It reserves your allowance and certifies this wallet so you can pay offline.',
  );
}

/** The Enroll screen ("Enroll with your bank"). */
export async function enrollScreen(ctx: Ctx, renew: boolean): Promise<void> {
  const { app } = ctx;
  const vault = app.unlocked();
  const restored = await mustEnroll(app.db);
  const signIn = signInFields();
  const allowance = field(
    'Allowance',
    { type: 'text', inputmode: 'decimal', value: '20.00', autocomplete: 'off' },
    'The most this wallet can spend offline, reserved from your account, e.g. 20.00.',
  );
  const enroll = form('Enroll', [...signIn.elements, allowance.element], async () => {
    const { token } = await enrollWallet(app.db, vault, await app.bank.client(), {
      email: signIn.email.value,
      password: signIn.password.value,
      allowance: allowance.input.value,
    });
    app.bank.keep(token);
    app.refresh();
    ctx.go({ to: 'home' });
  });
  ctx.show(
    renew && !restored ? 'Renew your allowance' : 'Enroll with your bank',
    intro(restored, renew),
    enroll,
    actions(
      renew && !restored && button('Cancel', () => ctx.go({ to: 'home' })),
      button('Backup and settings', () => ctx.go({ to: 'settings' })),
    ),
  );
}

/**
 * Enroll (and renew): sign in to the bank and get a payer certificate for an allowance. A restored
 * wallet lands here with its notice: it never resumes the old certificate (DESIGN.md §3 "Restore").
 */
import { h, notice } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { enrollWallet } from '../state/enroll.js';
import { mustEnroll } from '../state/store.js';
import { button, field, form } from './parts.js';

/** The bank sign-in fields, shared with the Sync screen. The password is never stored. */
export function signInFields(): {
  elements: HTMLElement[];
  email: HTMLInputElement;
  password: HTMLInputElement;
} {
  const email = field('Email', { type: 'email', autocomplete: 'username', inputmode: 'email' });
  const password = field('Password', { type: 'password', autocomplete: 'current-password' });
  return {
    elements: [email.element, password.element],
    email: email.input,
    password: password.input,
  };
}

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
      'Renew your certificate',
      'A new key and certificate replace the current one. Your history stays.',
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
  const vault = ctx.unlocked();
  const restored = await mustEnroll(ctx.db);
  const signIn = signInFields();
  const allowance = field(
    'Allowance',
    { type: 'text', inputmode: 'decimal', value: '20.00', autocomplete: 'off' },
    'The most this wallet can spend offline, reserved from your account, e.g. 20.00.',
  );
  const enrollForm = form('Enroll', [...signIn.elements, allowance.element], async () => {
    const { token } = await enrollWallet(ctx.db, vault, await ctx.bank(), {
      email: signIn.email.value,
      password: signIn.password.value,
      allowance: allowance.input.value,
    });
    signIn.password.value = '';
    ctx.token = token;
    ctx.refresh();
    ctx.go({ to: 'home' });
  });
  const others = h('div', { class: 'actions' });
  if (renew && !restored) others.append(button('Cancel', () => ctx.go({ to: 'home' })));
  others.append(button('Backup and settings', () => ctx.go({ to: 'settings' })));
  ctx.show('Enroll with your bank', intro(restored, renew), enrollForm, others);
}

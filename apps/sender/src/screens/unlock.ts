/** Unlock: the passphrase opens the keys for this session (a reload asks again). */
import { h, unlockVault } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { walletStatus } from '../state/wallet.js';
import { field, form } from './parts.js';

/** The Unlock screen. */
export function unlockScreen(ctx: Ctx): void {
  const pass = field('Passphrase', { type: 'password', autocomplete: 'current-password' });
  ctx.show(
    'Unlock',
    h('p', { class: 'muted' }, 'Enter the passphrase of this wallet.'),
    form('Unlock', [pass.element], async () => {
      ctx.vault = await unlockVault(ctx.db, pass.input.value);
      pass.input.value = '';
      ctx.refresh();
      const status = await walletStatus(ctx.db);
      ctx.go(status === 'enrolled' ? { to: 'home' } : { to: 'enroll' });
    }),
  );
}

/** Setup (make the wallet's key under a passphrase, or restore a backup) and Unlock. */
import { createForm, h, restoreSection, unlockForm } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { restoreWallet, setupWallet, walletStatus } from '../state/wallet.js';

/** The Setup screen ("Set up your wallet"). */
export function setupScreen(ctx: Ctx): void {
  const { app } = ctx;
  const opened = (): void => {
    app.refresh();
    ctx.go({ to: 'enroll' });
  };
  ctx.show(
    'Set up your wallet',
    h(
      'p',
      { class: 'muted' },
      'Your key is made on this phone and kept encrypted under your passphrase.',
    ),
    createForm('Create wallet', async (url, passphrase) => {
      app.vault = await setupWallet(app.db, passphrase, url);
      opened();
    }),
    restoreSection(
      'Your history comes back; you then enroll again with your bank before paying.',
      async (text, passphrase) => {
        app.vault = await restoreWallet(app.db, text, passphrase);
        opened();
      },
    ),
  );
}

/** The Unlock screen: the passphrase opens the keys for this session (a reload asks again). */
export function unlockScreen(ctx: Ctx): void {
  const { app } = ctx;
  ctx.show(
    'Unlock',
    h('p', { class: 'muted' }, 'Enter the passphrase of this wallet.'),
    unlockForm(app.db, async (vault) => {
      app.vault = vault;
      app.refresh();
      ctx.go((await walletStatus(app.db)) === 'enrolled' ? { to: 'home' } : { to: 'enroll' });
    }),
  );
}

/** Setup (make the till's keys under a passphrase, or restore a backup), Unlock and Enroll. */
import { createForm, form, h, restoreSection, signInFields, unlockForm } from '@offpay/app-kit';
import { checkLedgerQuietly, type Ctx } from '../ctx.js';
import { createTill, enrollTill, loadTill, restoreTill } from '../state/till.js';

/**
 * After the vault opens (unlock, setup or restore): load the enrolled till, check the ledger,
 * refresh from the bank when online, and go Home (or to enrollment).
 */
async function opened(ctx: Ctx): Promise<void> {
  const { app } = ctx;
  app.till = app.vault && (await loadTill(app.db, app.vault));
  if (!app.till) return ctx.go({ to: 'enroll' });
  await checkLedgerQuietly(app);
  app.refresh();
  ctx.go({ to: 'home' });
}

/** The setup screen ("Set up your till"). */
export function setupScreen(ctx: Ctx): void {
  const { app } = ctx;
  ctx.show(
    'Set up your till',
    h(
      'p',
      { class: 'muted' },
      'The till makes its keys on this device and keeps them locked under your passphrase.',
    ),
    createForm('Create till', async (url, passphrase) => {
      app.vault = await createTill(app.db, passphrase, url);
      await opened(ctx);
    }),
    restoreSection(
      'Your keys, ledger and settings come back as they were.',
      async (text, passphrase) => {
        app.vault = await restoreTill(app.db, text, passphrase);
        await opened(ctx);
      },
    ),
  );
}

/** The unlock screen. */
export function unlockScreen(ctx: Ctx): void {
  const { app } = ctx;
  ctx.show(
    'Unlock',
    h('p', { class: 'muted' }, 'Enter the passphrase that locks this till.'),
    unlockForm(app.db, async (vault) => {
      app.vault = vault;
      await opened(ctx);
    }),
  );
}

/** The enroll screen: the bank certifies the till's keys under the shop's verified name. */
export function enrollScreen(ctx: Ctx): void {
  const { app } = ctx;
  const signIn = signInFields();
  ctx.show(
    'Enroll with your bank',
    h(
      'p',
      { class: 'muted' },
      'Sign in with your merchant account once, online. The bank certifies this till under your shop’s name.',
    ),
    form('Enroll', signIn.elements, async () => {
      if (!app.vault) return ctx.go({ to: 'unlock' });
      const login = { email: signIn.email.value, password: signIn.password.value };
      app.bank.keep(await enrollTill(app.db, app.vault, await app.bank.client(), login));
      await opened(ctx);
    }),
  );
}

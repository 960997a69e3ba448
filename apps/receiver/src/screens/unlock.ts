/** Unlock: the passphrase opens the vault; then the ledger is checked and the bank refreshed. */
import { describeError, h, showScreen, unlockVault } from '@offpay/app-kit';
import type { App } from '../app.js';
import { refreshQuietly } from '../online.js';
import { checkLedger } from '../state/ledger.js';
import { loadTill } from '../state/store.js';
import { field, form, statusArea } from './form.js';

/** The unlock screen. */
export function unlockScreen(app: App): void {
  const pass = field('Passphrase', { type: 'password', autocomplete: 'current-password' });
  const status = statusArea();
  const { element } = form(
    'Unlock',
    async () => {
      status.clear();
      try {
        app.vault = await unlockVault(app.db, pass.input.value);
      } catch (e) {
        status.error(e);
        pass.input.select();
        return;
      }
      pass.input.value = '';
      try {
        await afterUnlock(app);
      } catch (e) {
        status.error(e);
      }
    },
    pass.element,
    status.element,
  );
  showScreen(
    app.root,
    'Unlock',
    h('p', { class: 'muted' }, 'Enter the passphrase that locks this till.'),
    element,
  );
}

/**
 * After the vault opens (unlock, setup or restore): load the enrolled till, check the ledger,
 * refresh from the bank when online, and go Home (or to enrollment).
 */
export async function afterUnlock(app: App): Promise<void> {
  if (!app.vault) return app.go('unlock');
  app.till = await loadTill(app.db, app.vault);
  if (!app.till) return app.go('enroll');
  await checkLedgerAtUnlock(app);
  if (navigator.onLine) void refreshQuietly(app);
  app.go('home');
}

/** Runs the ledger integrity check and keeps its alarm for Home. */
export async function checkLedgerAtUnlock(app: App): Promise<void> {
  if (!app.till) return;
  try {
    await checkLedger(app.db, app.till);
    app.ledgerAlarm = undefined;
  } catch (e) {
    const { title, text } = describeError(e);
    app.ledgerAlarm = { title: `Ledger damaged: ${title}`, text };
  }
}

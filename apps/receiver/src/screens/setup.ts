/** First run: make the till's keys under a passphrase, or restore a backup. */
import { h, readFileText, showScreen } from '@offpay/app-kit';
import type { App } from '../app.js';
import {
  checkNewPassphrase,
  createTill,
  normalizeBankUrl,
  restoreTill,
  TillExistsError,
} from '../state/setup.js';
import { DEFAULT_BANK_URL } from '../state/store.js';
import { afterUnlock } from './unlock.js';
import { field, form, statusArea } from './form.js';

const envBankUrl = import.meta.env.VITE_BANK_URL || DEFAULT_BANK_URL;

/** The setup screen. */
export function setupScreen(app: App): void {
  showScreen(
    app.root,
    'Set up your till',
    h(
      'p',
      { class: 'muted' },
      'The till makes its keys on this device and keeps them locked under your passphrase.',
    ),
    createSection(app),
    restoreSection(app),
  );
}

function createSection(app: App): HTMLElement {
  const bank = field('Bank address', { type: 'url', value: envBankUrl, autocomplete: 'url' });
  const pass = field('Passphrase', { type: 'password', autocomplete: 'new-password' });
  const repeat = field('Repeat passphrase', { type: 'password', autocomplete: 'new-password' });
  const status = statusArea();
  const { element } = form(
    'Create till',
    async () => {
      status.clear();
      const url = normalizeBankUrl(bank.input.value);
      if (!url) {
        status.say(
          'error',
          'Check the bank address',
          'Enter an address such as https://bank.example.',
        );
        bank.input.focus();
        return;
      }
      const check = checkNewPassphrase(pass.input.value, repeat.input.value);
      if (!check.ok) {
        status.say('error', 'Choose another passphrase', check.message);
        pass.input.focus();
        return;
      }
      try {
        app.vault = await createTill(app.db, pass.input.value, url);
      } catch (e) {
        refused(status, e);
        return;
      } finally {
        pass.input.value = '';
        repeat.input.value = '';
      }
      await afterSetup(app, status);
    },
    bank.element,
    pass.element,
    repeat.element,
    status.element,
  );
  return h('section', { 'aria-label': 'New till' }, element);
}

function restoreSection(app: App): HTMLElement {
  const id = 'till-backup-file';
  const file = h('input', { id, type: 'file', accept: '.json,application/json' });
  const pass = field('Backup passphrase', { type: 'password', autocomplete: 'current-password' });
  const status = statusArea();
  const { element } = form(
    'Restore',
    async () => {
      status.clear();
      const picked = file.files?.[0];
      if (!picked) {
        status.say('error', 'Choose the backup file', 'Pick the offpay till backup you saved.');
        return;
      }
      try {
        const text = await readFileText(picked);
        app.vault = await restoreTill(app.db, text, pass.input.value);
      } catch (e) {
        refused(status, e);
        return;
      }
      pass.input.value = '';
      await afterSetup(app, status);
    },
    h('div', { class: 'field' }, h('label', { for: id }, 'Backup file'), file),
    pass.element,
    status.element,
  );
  return h(
    'section',
    { 'aria-labelledby': 'till-restore-heading' },
    h('h2', { id: 'till-restore-heading' }, 'Restore from a backup'),
    element,
  );
}

type Status = ReturnType<typeof statusArea>;

/** Why setup or restore did not happen, in plain words. */
function refused(status: Status, e: unknown): void {
  if (e instanceof TillExistsError) status.say('error', 'Already set up', e.message);
  else status.error(e);
}

/** Opens the new till; a failure stays on this screen in plain words. */
async function afterSetup(app: App, status: Status): Promise<void> {
  try {
    await afterUnlock(app);
  } catch (e) {
    status.error(e);
  }
}

/** Backup and settings: the encrypted backup file, the bank address and the per-payer cap. */
import { downloadText, exportBackup, h, showScreen, unlockVault } from '@offpay/app-kit';
import { Money } from '@offpay/protocol';
import type { App } from '../app.js';
import { normalizeBankUrl } from '../state/setup.js';
import { bankUrl, KEY, payerCap } from '../state/store.js';
import { field, form, isoDay, statusArea } from './form.js';

/** The settings screen. */
export async function settingsScreen(app: App): Promise<void> {
  const till = app.till;
  if (!till || !app.vault) return app.go('home');
  showScreen(
    app.root,
    'Backup and settings',
    backupSection(app),
    await bankSection(app),
    await capSection(app, till.cert.currency),
  );
}

function backupSection(app: App): HTMLElement {
  const pass = field('Passphrase for backup', {
    type: 'password',
    autocomplete: 'current-password',
  });
  const status = statusArea();
  const { element } = form(
    'Download backup',
    async () => {
      status.clear();
      const vault = app.vault;
      if (!vault) return app.go('unlock');
      try {
        // The same passphrase as the till's: a typo here would make a backup nobody can open.
        (await unlockVault(app.db, pass.input.value)).lock();
        const text = await exportBackup(app.db, vault, pass.input.value, 'receiver');
        downloadText(`offpay-receiver-backup-${isoDay(Date.now())}.json`, text);
        status.say(
          'ok',
          'Backup saved',
          'Keep the file somewhere safe; it opens with this passphrase.',
        );
      } catch (e) {
        status.error(e);
      } finally {
        pass.input.value = '';
      }
    },
    h(
      'p',
      { class: 'muted' },
      'The backup holds the till’s keys and ledger, encrypted with your passphrase.',
    ),
    pass.element,
    status.element,
  );
  return section('Backup', element);
}

async function bankSection(app: App): Promise<HTMLElement> {
  const url = field('Bank address', {
    type: 'url',
    value: await bankUrl(app.db),
    autocomplete: 'url',
  });
  const status = statusArea();
  const { element } = form(
    'Save bank address',
    async () => {
      const value = normalizeBankUrl(url.input.value);
      if (!value) {
        status.say(
          'error',
          'Check the bank address',
          'Enter an address such as https://bank.example.',
        );
        return;
      }
      try {
        await app.db.write([{ put: KEY.bankUrl, value }]);
        app.token = undefined;
        status.say('ok', 'Bank address saved');
      } catch (e) {
        status.error(e);
      }
    },
    url.element,
    status.element,
  );
  return section('Bank', element);
}

async function capSection(app: App, currency: string): Promise<HTMLElement> {
  const current = await payerCap(app.db);
  const cap = field(
    'Per-payer cap',
    {
      inputmode: 'decimal',
      autocomplete: 'off',
      value: current === undefined ? '' : Money.of(current, currency).toString().split(' ')[0],
    },
    `Most this till accepts from one payer certificate, in ${currency}. Empty: no cap.`,
  );
  const status = statusArea();
  const { element } = form(
    'Save cap',
    async () => {
      const text = cap.input.value.trim();
      let value: number | undefined;
      try {
        value = text === '' ? undefined : Money.parse(text, currency).minor;
      } catch {
        status.say(
          'error',
          'Check the cap',
          `Enter an amount such as 20.00 (in ${currency}), or leave it empty.`,
        );
        return;
      }
      try {
        await app.db.write([
          value === undefined || value === 0
            ? { delete: KEY.payerCap }
            : { put: KEY.payerCap, value },
        ]);
        status.say(
          'ok',
          value
            ? `Cap saved: ${Money.of(value, currency).toString()} per payer`
            : 'No cap per payer',
        );
      } catch (e) {
        status.error(e);
      }
    },
    cap.element,
    status.element,
  );
  return section('Limit per payer', element);
}

let sectionId = 0;

function section(title: string, ...body: HTMLElement[]): HTMLElement {
  const id = `till-section-${++sectionId}`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...body);
}

/**
 * The parts of screens both apps lay out the same way: Home (one card of key figures, notices,
 * then the actions — the next step first and primary, "Backup and settings" last) and the
 * "Backup and settings" sections every app has (backup, bank address).
 */
import { backupFile, type AppKind } from './backup.js';
import { downloadText, readFileText } from './exchange.js';
import { field, form, section } from './forms.js';
import { h, type Child } from './ui.js';
import type { BankSession } from './session.js';
import {
  bankUrl,
  checkNewPassphrase,
  defaultBankUrl,
  MIN_PASSPHRASE_LENGTH,
  normalizeBankUrl,
} from './rules.js';
import type { Db } from './storage/db.js';
import type { Stores } from './storage/schema.js';
import { unlockVault, type Vault } from './vault.js';

/** Home's body: the figures card, the notices that apply, and the actions in one column. */
export function homeBody(
  label: string,
  figures: Child[],
  notices: Child[],
  buttons: Child[],
): Child[] {
  return [
    h('section', { class: 'card home-card', 'aria-label': label }, ...figures),
    ...notices,
    h('div', { class: 'actions actions-stack' }, ...buttons),
  ];
}

/** "Backup": a file encrypted under the app's passphrase, typed again. */
export function backupSection(db: Db<Stores>, vault: Vault, app: AppKind, restoreNote: string) {
  const pass = field(
    'Passphrase for backup',
    { type: 'password', autocomplete: 'current-password' },
    'This app’s passphrase: the file is encrypted under it, and you need it to restore.',
  );
  return section(
    'Backup',
    form('Download backup', [pass.element], async (messages) => {
      // A wrong passphrase is refused ("Wrong passphrase") before any file is made.
      const file = await backupFile(db, vault, pass.input.value, app);
      downloadText(file.fileName, file.text);
      messages.say('ok', 'Backup saved', `Keep the file somewhere safe. ${restoreNote}`);
    }),
  );
}

/** "Bank": the bank address; saving it ends the bank session (a token is one bank's). */
export async function bankSection(db: Db<Stores>, session: BankSession): Promise<HTMLElement> {
  const address = field('Bank address', {
    type: 'url',
    value: await bankUrl(db),
    autocomplete: 'url',
  });
  return section(
    'Bank',
    form('Save address', [address.element], async (messages) => {
      address.input.value = await session.setBankUrl(address.input.value);
      messages.say('ok', 'Bank address saved');
    }),
  );
}

/**
 * Setup's first form: bank address (suggested) and a new passphrase typed twice, checked by the
 * kit's rules before `create` runs.
 */
export function createForm(
  submitText: string,
  create: (bankUrl: string, passphrase: string) => Promise<void>,
): HTMLFormElement {
  const bank = field('Bank address', {
    type: 'url',
    value: defaultBankUrl(),
    autocomplete: 'url',
  });
  const pass = field(
    'Passphrase',
    { type: 'password', autocomplete: 'new-password', minlength: MIN_PASSPHRASE_LENGTH },
    `At least ${MIN_PASSPHRASE_LENGTH} characters. It unlocks this app on this device; nobody can reset it.`,
  );
  const again = field('Repeat passphrase', { type: 'password', autocomplete: 'new-password' });
  return form(submitText, [bank.element, pass.element, again.element], async () => {
    const url = normalizeBankUrl(bank.input.value);
    checkNewPassphrase(pass.input.value, again.input.value);
    await create(url, pass.input.value);
  });
}

/** Setup's second way: a backup file and its passphrase. */
export function restoreSection(
  note: string,
  restore: (text: string, passphrase: string) => Promise<void>,
): HTMLElement {
  const file = field('Backup file', { type: 'file', accept: '.json,application/json' });
  const pass = field('Backup passphrase', { type: 'password', autocomplete: 'current-password' });
  return section(
    'Restore from a backup',
    h('p', { class: 'muted' }, note),
    form('Restore', [file.element, pass.element], async (messages) => {
      const picked = file.input.files?.[0];
      if (!picked) return messages.say('error', 'Choose the backup file first');
      await restore(await readFileText(picked), pass.input.value);
    }),
  );
}

/** Unlock's form: the passphrase opens the vault for this session (a reload asks again). */
export function unlockForm(
  db: Db<Stores>,
  opened: (vault: Vault) => Promise<void>,
): HTMLFormElement {
  const pass = field('Passphrase', { type: 'password', autocomplete: 'current-password' });
  return form('Unlock', [pass.element], async () =>
    opened(await unlockVault(db, pass.input.value)),
  );
}

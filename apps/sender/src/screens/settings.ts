/** Backup and settings: an encrypted backup file, and the bank address. */
import { downloadText, h, notice } from '@offpay/app-kit';
import type { Ctx } from '../ctx.js';
import { KEY, bankUrl } from '../state/store.js';
import { backupWallet, normalizeBankUrl } from '../state/wallet.js';
import { field, form, homeButton } from './parts.js';

/** The backup's file name for a day, e.g. "offpay-sender-backup-2027-01-15.json" (local date). */
export function backupFileName(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `offpay-sender-backup-${day}.json`;
}

function backupForm(ctx: Ctx): HTMLElement {
  const vault = ctx.unlocked();
  const pass = field(
    'Passphrase for backup',
    { type: 'password', autocomplete: 'current-password' },
    'Your wallet passphrase: the file is encrypted under it, and you need it to restore.',
  );
  return form('Download backup', [pass.element], async (messages) => {
    // A wrong passphrase is refused ("Wrong passphrase") before any file is made.
    const text = await backupWallet(ctx.db, vault, pass.input.value);
    pass.input.value = '';
    downloadText(backupFileName(new Date()), text);
    messages.replaceChildren(
      notice(
        'ok',
        'Backup saved',
        'Keep the file somewhere safe. A restored wallet enrolls again before paying.',
      ),
    );
  });
}

async function bankForm(ctx: Ctx): Promise<HTMLElement> {
  const address = field('Bank address', { type: 'url', value: await bankUrl(ctx.db) });
  return form('Save address', [address.element], async (messages) => {
    const url = normalizeBankUrl(address.input.value);
    if (!url) {
      messages.replaceChildren(
        notice('error', 'Check the bank address', 'It should look like https://bank.example.'),
      );
      return;
    }
    await ctx.db.write([{ put: KEY.bankUrl, value: url }]);
    ctx.token = undefined;
    address.input.value = url;
    messages.replaceChildren(notice('ok', 'Bank address saved'));
  });
}

/** The "Backup and settings" screen. */
export async function settingsScreen(ctx: Ctx): Promise<void> {
  const bank = await bankForm(ctx);
  ctx.show(
    'Backup and settings',
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'backup-title' },
      h('h2', { id: 'backup-title' }, 'Backup'),
      backupForm(ctx),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'bank-title' },
      h('h2', { id: 'bank-title' }, 'Bank'),
      bank,
    ),
    homeButton(ctx),
  );
}

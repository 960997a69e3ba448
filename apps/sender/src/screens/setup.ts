/** Setup: make the wallet's key on this device under a passphrase, or restore a backup. */
import { MIN_PASSPHRASE_LENGTH, h, notice, readFileText } from '@offpay/app-kit';
import { isAppError } from '@offpay/protocol';
import type { Ctx } from '../ctx.js';
import { DEFAULT_BANK_URL } from '../state/store.js';
import { SET_UP_ELSEWHERE, normalizeBankUrl, restoreWallet, setupWallet } from '../state/wallet.js';
import { field, form } from './parts.js';

const envBankUrl = import.meta.env.VITE_BANK_URL || DEFAULT_BANK_URL;

/**
 * Runs a Setup or Restore submit; a wallet set up meanwhile in another tab (this screen is stale)
 * is refused in plain words instead of being replaced.
 */
async function unlessSetUpElsewhere(messages: HTMLElement, run: () => Promise<void>) {
  try {
    await run();
  } catch (e) {
    if (!isAppError(e, 'APP_WALLET_STATE_CHANGED')) throw e;
    const el = notice('error', SET_UP_ELSEWHERE);
    el.dataset.code = e.code;
    messages.replaceChildren(el);
  }
}

function createForm(ctx: Ctx): HTMLElement {
  const bank = field('Bank address', { type: 'url', value: envBankUrl, autocomplete: 'url' });
  const pass = field(
    'Passphrase',
    { type: 'password', autocomplete: 'new-password', minlength: MIN_PASSPHRASE_LENGTH },
    `At least ${MIN_PASSPHRASE_LENGTH} characters. It unlocks this wallet; nobody can reset it.`,
  );
  const again = field('Repeat passphrase', { type: 'password', autocomplete: 'new-password' });
  return form('Create wallet', [bank.element, pass.element, again.element], async (messages) => {
    const url = normalizeBankUrl(bank.input.value);
    if (!url) {
      messages.replaceChildren(
        notice('error', 'Check the bank address', 'It should look like https://bank.example.'),
      );
      return;
    }
    if (pass.input.value !== again.input.value) {
      messages.replaceChildren(
        notice('error', 'The passphrases differ', 'Type the same passphrase twice.'),
      );
      return;
    }
    await unlessSetUpElsewhere(messages, async () => {
      ctx.vault = await setupWallet(ctx.db, pass.input.value, url);
      pass.input.value = '';
      again.input.value = '';
      ctx.refresh();
      ctx.go({ to: 'enroll' });
    });
  });
}

function restoreForm(ctx: Ctx): HTMLElement {
  const file = field('Backup file', { type: 'file', accept: '.json,application/json' });
  const pass = field('Backup passphrase', { type: 'password', autocomplete: 'current-password' });
  return form('Restore', [file.element, pass.element], async (messages) => {
    const picked = file.input.files?.[0];
    if (!picked) {
      messages.replaceChildren(notice('error', 'Choose the backup file first'));
      return;
    }
    const text = await readFileText(picked);
    await unlessSetUpElsewhere(messages, async () => {
      ctx.vault = await restoreWallet(ctx.db, text, pass.input.value);
      pass.input.value = '';
      ctx.refresh();
      ctx.go({ to: 'enroll' });
    });
  });
}

/** The Setup screen ("Set up your wallet"). */
export function setupScreen(ctx: Ctx): void {
  ctx.show(
    'Set up your wallet',
    h(
      'p',
      { class: 'muted' },
      'Your key is made on this phone and kept encrypted under your passphrase.',
    ),
    createForm(ctx),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'restore-title' },
      h('h2', { id: 'restore-title' }, 'Restore from a backup'),
      h(
        'p',
        { class: 'muted' },
        'Your history comes back; you then enroll again with your bank before paying.',
      ),
      restoreForm(ctx),
    ),
  );
}

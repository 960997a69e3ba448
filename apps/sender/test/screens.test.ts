// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { fromHex } from '@offpay/crypto';
import { exportBackup, unlockVault } from '@offpay/app-kit';
import { merchantCode } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { startWallet } from '../src/app.js';
import type { WalletDb } from '../src/db.js';
import { listHistory } from '../src/state/history.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { acceptReceipt } from '../src/state/receipt.js';
import { restoreWallet, setupWallet } from '../src/state/wallet.js';
import {
  ITERATIONS,
  NOW_MS,
  PASSPHRASE,
  Receiver,
  enrolledWallet,
  freshDb,
  makeBank,
} from './helpers.js';

const bank = makeBank();
const bob = new Receiver(bank);

// These tests stay offline: the quiet refresh after unlock must not reach for a bank.
Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });

/** Starts the app on `db` at the Unlock screen and unlocks it as a user would. */
async function unlock(db: WalletDb, passphrase = PASSPHRASE): Promise<HTMLElement> {
  return (await started(db, passphrase)).root;
}

async function started(db: WalletDb, passphrase = PASSPHRASE) {
  const root = document.createElement('main');
  document.body.replaceChildren(root);
  const app = startWallet(root, db);
  await app.open({ to: 'unlock' });
  root.querySelector<HTMLInputElement>('input[type=password]')!.value = passphrase;
  root.querySelector('form')!.requestSubmit();
  return { root, app };
}

function buttonNamed(root: HTMLElement, name: string): HTMLButtonElement {
  return [...root.querySelectorAll('button')].find((b) => b.textContent === name)!;
}

function fill(root: HTMLElement, label: string, value: string): void {
  const l = [...root.querySelectorAll('label')].find((x) => x.textContent === label)!;
  root.querySelector<HTMLInputElement>(`#${l.htmlFor}`)!.value = value;
}

async function screen(root: HTMLElement, heading: string): Promise<void> {
  await expect.poll(() => root.querySelector('h1')?.textContent, { timeout: 10_000 }).toBe(heading);
}

describe('screens', () => {
  it('unlocking an enrolled wallet shows its allowance on Home', async () => {
    const { db, vault } = await enrolledWallet(bank, { limit: 2000 });
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    await commitPayment(db, vault, p, { nowMs: NOW_MS });
    const root = await unlock(db);
    await screen(root, 'Wallet');
    expect(root.textContent).toContain('17.50 EUR left');
    expect(root.textContent).toContain('Spent 2.50 EUR of 20.00 EUR');
    const buttons = [...root.querySelectorAll('button')].map((b) => b.textContent);
    expect(buttons).toEqual(
      expect.arrayContaining(['Pay', 'History', 'Sync with bank', 'Backup and settings']),
    );
  });

  it('a wrong passphrase is refused in plain words', async () => {
    const { db } = await enrolledWallet(bank);
    const root = await unlock(db, 'not the passphrase');
    await expect
      .poll(() => root.querySelector('[role=alert]')?.textContent ?? '', { timeout: 10_000 })
      .not.toBe('');
    expect(root.querySelector('h1')?.textContent).toBe('Unlock');
  });

  it('a restored wallet opens on Enroll with the restore notice, never on Home', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const text = await exportBackup(db, vault, PASSPHRASE, 'sender', { iterations: ITERATIONS });
    const target = await freshDb();
    await restoreWallet(target, text, PASSPHRASE, { iterations: ITERATIONS });
    const root = await unlock(target);
    await screen(root, 'Enroll with your bank');
    expect(root.textContent).toContain('Restored from a backup: enroll again before paying');
    for (const label of ['Email', 'Password', 'Allowance']) {
      expect([...root.querySelectorAll('label')].map((l) => l.textContent)).toContain(label);
    }
  });

  it('History lists payments with their state', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await preparePayment(db, vault, bob.request(250, { memo: 'Lunch' }), {
      nowMs: NOW_MS,
    });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    await commitPayment(db, vault, p, { nowMs: NOW_MS });
    const root = await unlock(db);
    await screen(root, 'Wallet');
    [...root.querySelectorAll('button')].find((b) => b.textContent === 'History')!.click();
    await screen(root, 'History');
    const item = root.querySelector('li')!;
    expect(item.textContent).toContain('2.50 EUR');
    expect(item.textContent).toContain("Bob's Market");
    expect(item.textContent).toContain('Lunch');
    expect(item.querySelector('.pill')?.textContent).toBe('sent');
  });

  it('a stale Setup screen refuses to replace a wallet set up in another tab', async () => {
    const db = await freshDb();
    const root = document.createElement('main');
    document.body.replaceChildren(root);
    await startWallet(root, db).open({ to: 'setup' });
    await setupWallet(db, PASSPHRASE, 'https://bank.example', { iterations: ITERATIONS });
    fill(root, 'Passphrase', 'another passphrase');
    fill(root, 'Repeat passphrase', 'another passphrase');
    root.querySelector('form')!.requestSubmit();
    await expect
      // The setup derives its key first (600,000 PBKDF2 rounds): a while on a loaded machine.
      .poll(() => root.querySelector('[role=alert]')?.getAttribute('data-code'), {
        timeout: 30_000,
      })
      .toBe('APP_SET_UP_ELSEWHERE');
    expect(root.querySelector('[role=alert]')?.textContent).toContain('Already set up');
    expect(root.querySelector('h1')?.textContent).toBe('Set up your wallet');
    expect((await unlockVault(db, PASSPHRASE)).secret('payerKey')).toBeInstanceOf(Uint8Array);
  });

  it('Confirm shows the payee’s name and the merchant code of its certificate', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    const { root, app } = await started(db);
    await screen(root, 'Wallet');
    await app.open({ to: 'confirm', prepared: p });
    const code = root.querySelector('.merchant-code strong')?.textContent;
    expect(code).toBe(merchantCode(p.request.payeeCert));
    expect(root.textContent).toContain(p.payeeName);
  });

  it('Confirm: neither button acts while the payment is being made', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    const { root, app } = await started(db);
    await screen(root, 'Wallet');
    await app.open({ to: 'confirm', prepared: p });
    // Another tab's transaction over the wallet's stores, kept open until released: the payment's
    // own transaction waits for it.
    let released = false;
    const held = db.transaction(['meta', 'chain', 'history'], async (tx) => {
      while (!released) await tx.get('meta', 'anything');
    });
    const release = () => (released = true);
    buttonNamed(root, 'Confirm and pay').click();
    expect(buttonNamed(root, 'Confirm and pay').disabled).toBe(true);
    expect(buttonNamed(root, 'Cancel').disabled).toBe(true);
    buttonNamed(root, 'Cancel').click();
    await new Promise((r) => setTimeout(r, 50));
    expect(root.querySelector('h1')?.textContent).toBe('Confirm payment');
    release();
    await held;
    await screen(root, 'Show this to the receiver');
    expect(await listHistory(db)).toHaveLength(1);
  });

  it('once the receipt is checked, the code goes and one "Done" leads Home', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await preparePayment(db, vault, bob.request(250), { nowMs: NOW_MS });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    const item = await commitPayment(db, vault, p, { nowMs: NOW_MS });
    const { root, app } = await started(db);
    await screen(root, 'Wallet');
    const homeInHeader = () =>
      [...document.querySelectorAll<HTMLButtonElement>('header button')].find(
        (b) => b.textContent === 'Home',
      );
    await app.open({ to: 'payment', item });
    expect(root.querySelector('canvas')).not.toBeNull();
    expect(homeInHeader()?.hidden).toBe(false);
    const updated = await acceptReceipt(db, item.paymentId, bob.receipt(fromHex(item.paymentId)));
    await app.open({ to: 'payment', item: updated });
    await screen(root, 'Payment complete');
    expect(root.textContent).toContain('Receipt checked');
    expect(root.querySelector('canvas')).toBeNull();
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Done']);
    expect(homeInHeader()?.hidden).toBe(true);
    buttonNamed(root, 'Done').click();
    await screen(root, 'Wallet');
  });
});

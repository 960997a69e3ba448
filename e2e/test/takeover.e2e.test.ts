/**
 * A stolen till's ledger taken over by its successor (docs/apps.md "Backup and restore" and
 * "Taking over a stolen till's ledger", docs/operations.md "Lost and stolen devices", docs/protocol.md
 * §9.7), done by a merchant in the apps as docs/threat-model.md §4.1 tells it: the till accepts two
 * payments offline and its backup is downloaded; the till is stolen. On a second phone the merchant
 * restores the backup, reports the stolen till (the bank revokes it and ends every session of
 * Bob's: the merchant signs in again there, and the thief's tab on the stolen phone is signed
 * out), sees Settle refused as revoked (BANK_PAYEE_REVOKED), and takes the ledger over on new
 * keys, which settles it signed by the successor — Bob is paid once. A batch file the stolen key
 * signed before moves nothing (the stored answer comes back); a fresh payment the thief accepts
 * afterwards on the stolen phone is refused as revoked by the bank, the stolen phone cannot even
 * ask without Bob's login, and no money moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  click,
  download,
  enroll,
  home,
  onScreen,
  openApp,
  openFile,
  PHONE,
  requestPayment,
  see,
  setUp,
  signIn,
} from './support/apps.js';
import { ALICE, BOB, approveBobsMarket, balances } from './support/bank.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { dumpScreensOnFailure } from './support/failure.js';
import { startStack, type Stack } from './support/stack.js';

const WALLET_PASSPHRASE = 'correct horse battery';
const TILL_PASSPHRASE = 'market stall 42';

let stack: Stack;
let tb: TestBrowser;
let walletContext: BrowserContext;
let stolenContext: BrowserContext;
let wallet: Page;
/** The till that is stolen: after the theft, the thief's phone. */
let stolen: Page;
/** The merchant's second phone, on which the stolen till's backup is restored. */
let restored: Page;
let bobBefore: Record<string, bigint>;
/** A batch file the till's old key signed, exported before the takeover. */
let oldKeyBatch = '';
/** The till's backup file, downloaded before the theft. */
let backup: { name: string; text: string };

beforeAll(async () => {
  stack = await startStack();
  tb = await launchBrowser();
  walletContext = await tb.browser.newContext({ ...PHONE });
  stolenContext = await tb.browser.newContext({ ...PHONE });
  bobBefore = await balances(stack.bankUrl, BOB);
});

dumpScreensOnFailure({
  pages: () => ({ wallet, stolen, restored }),
  bankLog: () => stack.bankLog(),
  prefix: 'offpay-e2e-takeover',
});

afterAll(async () => {
  await tb?.close();
  await stack?.stop();
});

/** The wallet pays the till's open request of `amount` by files, both phones offline. */
async function payByFiles(amount: string, memo: string): Promise<void> {
  await requestPayment(stolen, amount, memo);
  const request = await download(stolen);
  await click(wallet, 'Pay');
  await onScreen(wallet, 'Pay');
  await openFile(wallet, request);
  await onScreen(wallet, 'Confirm payment');
  await see(wallet, `${amount} EUR`);
  await click(wallet, 'Confirm and pay');
  await onScreen(wallet, 'Show this to the receiver');
  const payment = await download(wallet);
  await openFile(stolen, payment);
  await see(stolen, 'Payment accepted');
  await home(stolen, 'Till');
  await home(wallet, 'Wallet');
}

/** Bob's customer balance now, less what it was before the journey (minor units). */
async function bobGained(): Promise<bigint> {
  const bob = await balances(stack.bankUrl, BOB);
  return (bob['customer'] ?? 0n) - (bobBefore['customer'] ?? 0n);
}

describe('a stolen till, its backup restored on a second phone and its ledger taken over', () => {
  it('accepts two payments offline on the till; the merchant downloads its backup', async () => {
    wallet = await openApp(walletContext, stack.senderUrl);
    await onScreen(wallet, 'Set up your wallet');
    await setUp(wallet, {
      bankUrl: stack.bankUrl,
      passphrase: WALLET_PASSPHRASE,
      create: 'Create wallet',
    });
    await enroll(wallet, { ...ALICE, allowance: '20.00' });
    await onScreen(wallet, 'Wallet');

    stolen = await openApp(stolenContext, stack.receiverUrl);
    await onScreen(stolen, 'Set up your till');
    await setUp(stolen, {
      bankUrl: stack.bankUrl,
      passphrase: TILL_PASSPHRASE,
      create: 'Create till',
    });
    expect(await approveBobsMarket(stack.bankUrl)).toMatchObject({ state: 'approved' });
    await enroll(stolen, BOB);
    await onScreen(stolen, 'Till');

    await walletContext.setOffline(true);
    await stolenContext.setOffline(true);
    await payByFiles('2.50', 'Coffee');
    await payByFiles('1.25', 'Croissant');

    // Backup and settings → Download backup, under the till's own passphrase typed again.
    await click(stolen, 'Backup and settings');
    await onScreen(stolen, 'Backup and settings');
    await stolen.getByLabel('Passphrase for backup').fill(TILL_PASSPHRASE);
    backup = await download(stolen, 'Download backup');
    expect(backup.name).toMatch(/^offpay-receiver-backup-\d{4}-\d{2}-\d{2}\.json$/);
    await see(stolen, 'Backup saved');
    await home(stolen, 'Till');
  });

  it('keeps a batch file the old key signed (the thief has it too)', async () => {
    await click(stolen, 'Settle');
    await onScreen(stolen, 'Settle');
    await see(stolen, '2 payments not yet settled');
    oldKeyBatch = (await download(stolen, 'Export batch file')).text;
    await home(stolen, 'Till');
  });

  it('restores the backup on a second phone, which reports the stolen till', async () => {
    const secondPhone = await tb.browser.newContext({ ...PHONE });
    restored = await openApp(secondPhone, stack.receiverUrl);
    await onScreen(restored, 'Set up your till');
    await openFile(restored, backup, 'Backup file');
    await restored.getByLabel('Backup passphrase').fill(TILL_PASSPHRASE);
    await click(restored, 'Restore');
    await onScreen(restored, 'Till');

    await click(restored, 'Backup and settings');
    // A restored till holds no bank session (the token lives in memory only): sign in first.
    await restored.locator('.lost-device').getByLabel('Email').waitFor();
    await signIn(restored, BOB);
    // The restored till is the stolen one (same keys, same certificate): "(this one)".
    const row = restored.locator('.lost-device li', { hasText: '(this one)' });
    await row.getByRole('button', { name: 'Report lost or stolen' }).click();
    await row.getByRole('button', { name: 'It was stolen' }).click();
    await see(restored, /reported stolen: the bank revoked it/);
    // The bank ended every session of Bob's (docs/threat-model.md §4.1): this one too.
    await see(
      restored,
      'Every session of your account was signed out, including this one: sign in again to continue.',
    );
    await signIn(restored, BOB);
    const reported = /\(this one\).*reported lost or stolen on/;
    await restored.locator('.lost-device').getByText(reported).waitFor();
    expect(await bobGained()).toBe(0n);
  });

  it("signs the thief's tab on the stolen phone out: its token is refused, and it asks for a login", async () => {
    await stolenContext.setOffline(false);
    // The thief opens the till's settings: the section asks the bank with the held token.
    const refused = stolen.waitForResponse((r) => r.url().endsWith('/v1/certificates'));
    await click(stolen, 'Backup and settings');
    await onScreen(stolen, 'Backup and settings');
    const res = await refused;
    expect(res.status()).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'BANK_TOKEN_REVOKED' });
    const section = stolen.locator('.lost-device');
    await section.getByText('Logged out', { exact: true }).waitFor();
    await section.getByLabel('Email').waitFor();
    expect(await section.locator('[data-code="BANK_TOKEN_REVOKED"]').count()).toBe(1);
    await home(stolen, 'Till');
    await stolenContext.setOffline(true);
  });

  it('is refused as revoked, then takes the ledger over and settles it once on new keys', async () => {
    await home(restored, 'Till');
    await click(restored, 'Settle');
    await onScreen(restored, 'Settle');
    await see(restored, '2 payments not yet settled');
    // Settle now posts the batch signed by the restored (stolen) key: the bank refuses it (403
    // BANK_PAYEE_REVOKED), and the till says so.
    await click(restored, 'Settle now');
    await see(restored, 'Till revoked');
    expect(await restored.locator('[data-code="BANK_PAYEE_REVOKED"]').count()).toBe(1);
    expect(await bobGained()).toBe(0n);
    await click(restored, 'Take over this ledger on new keys');
    await see(restored, 'This till now has new keys');
    await see(restored, /The old ledger is settled \(2 payments just now\)/);
    expect(await bobGained()).toBe(375n);
  });

  it("answers the stolen key's earlier batch file with what was settled, paying nothing twice", async () => {
    // The handover settled the same entries (same batch key, §9.1), signed by the successor: the
    // old key's copy gets that stored answer back and moves no money.
    const res = await fetch(`${stack.bankUrl}/v1/settlements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: oldKeyBatch,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      replayed: true,
      results: [{ status: 'settled' }, { status: 'settled' }],
    });
    expect(await bobGained()).toBe(375n);
  });

  it('refuses a fresh batch the stolen key signs after the handover; no money moves', async () => {
    // The thief takes one more payment on the stolen phone, offline, and tries to settle it.
    const aliceBefore = await balances(stack.bankUrl, ALICE);
    await payByFiles('4.00', 'Stolen goods');
    await stolenContext.setOffline(false);
    await click(stolen, 'Settle');
    await onScreen(stolen, 'Settle');
    await see(stolen, '3 payments not yet settled');
    const fresh = (await download(stolen, 'Export batch file')).text;
    expect(fresh).not.toBe(oldKeyBatch);

    // Posted as a file: 403 BANK_PAYEE_REVOKED (docs/errors.md), nothing settled.
    const res = await fetch(`${stack.bankUrl}/v1/settlements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fresh,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'BANK_PAYEE_REVOKED' });
    // And from the stolen phone itself: signed out by the report, it asks for Bob's login first.
    await click(stolen, 'Settle now');
    await see(stolen, 'Sign in to settle');
    await stolen.getByLabel('Email').waitFor();

    expect(await bobGained()).toBe(375n);
    expect(await balances(stack.bankUrl, ALICE)).toEqual(aliceBefore);
  });
});

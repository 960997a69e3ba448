/**
 * A stolen till's ledger taken over by its successor (docs/apps.md "Taking over a stolen till's
 * ledger", docs/protocol.md §9.7), done by a merchant in the apps: the till accepts two payments
 * offline, is reported stolen (the bank revokes it), its batch signed by the stolen key is refused
 * (Settle: "Till revoked", BANK_PAYEE_REVOKED), and the takeover enrolls new keys, hands the
 * ledger over and settles it signed by the successor — Bob is paid once; the stolen key's batch
 * file posted afterwards moves nothing.
 *
 * The takeover runs on the till's own browser profile, not on its backup restored in a second
 * one: "Download backup" of a till holding a ledger currently fails in the built app with an
 * error of no known code ("Something went wrong"), which is the receiver's to fix (reported).
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
let stolen: Page;
let bobBefore: Record<string, bigint>;
/** A batch file the till's old key signed, exported before the takeover. */
let oldKeyBatch = '';

beforeAll(async () => {
  stack = await startStack();
  tb = await launchBrowser();
  walletContext = await tb.browser.newContext({ ...PHONE });
  stolenContext = await tb.browser.newContext({ ...PHONE });
  bobBefore = await balances(stack.bankUrl, BOB);
});

dumpScreensOnFailure({
  pages: () => ({ wallet, stolen }),
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

describe('a stolen till, taken over by its successor', () => {
  it('accepts two payments offline on the till that is then stolen', async () => {
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
  });

  it('the merchant reports the till stolen; a batch its old key signed is kept', async () => {
    await stolenContext.setOffline(false);
    await click(stolen, 'Settle');
    await onScreen(stolen, 'Settle');
    oldKeyBatch = (await download(stolen, 'Export batch file')).text;
    await home(stolen, 'Till');

    await click(stolen, 'Backup and settings');
    // Signed in since enrolling, the section lists the tills at once; else it asks first.
    await stolen.locator('.lost-device li, .lost-device form').first().waitFor();
    if (await stolen.getByLabel('Email').isVisible()) await signIn(stolen, BOB);
    const row = stolen.locator('.lost-device li', { hasText: '(this one)' });
    await row.getByRole('button', { name: 'Report lost or stolen' }).click();
    await row.getByRole('button', { name: 'It was stolen' }).click();
    await see(stolen, /reported stolen: the bank revoked it/);
  });

  it('is refused as revoked, then takes the ledger over and settles it on new keys', async () => {
    await home(stolen, 'Till');
    await click(stolen, 'Settle');
    await onScreen(stolen, 'Settle');
    await see(stolen, '2 payments not yet settled');
    // Settle now posts the batch signed by the stolen key: the bank refuses it (403
    // BANK_PAYEE_REVOKED), and the till says so.
    await click(stolen, 'Settle now');
    await see(stolen, 'Till revoked');
    expect(await stolen.locator('[data-code="BANK_PAYEE_REVOKED"]').count()).toBe(1);
    await click(stolen, 'Take over this ledger on new keys');
    await see(stolen, 'This till now has new keys');
    await see(stolen, /The old ledger is settled \(2 payments just now\)/);

    const bob = await balances(stack.bankUrl, BOB);
    expect((bob['customer'] ?? 0n) - (bobBefore['customer'] ?? 0n)).toBe(375n);
  });

  it("answers the stolen key's batch file with what was settled, paying nothing twice", async () => {
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
    const bob = await balances(stack.bankUrl, BOB);
    expect((bob['customer'] ?? 0n) - (bobBefore['customer'] ?? 0n)).toBe(375n);
  });
});

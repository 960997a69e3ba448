/**
 * The README walk-through, done by a person with two phones: set up the wallet and the till,
 * an operator approves Bob's Market, enroll, go offline, pay by files and by QR codes (a picture
 * and the camera; the wallet's confirm shows the till's merchant code), get receipts, see a
 * tampered file and a second copy refused, reload offline, restore the wallet on a new
 * phone (it must enroll again), come back online, settle with live status and check the bank.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  click,
  download,
  enroll,
  filmAnimatedQr,
  home,
  installabilityErrors,
  onScreen,
  openApp,
  openFile,
  photoOfQr,
  scanPictureOf,
  PHONE,
  ready,
  requestPayment,
  screenshot,
  see,
  setUp,
  signIn,
  unlock,
} from './support/apps.js';
import { ALICE, BOB, approveBobsMarket, balances, carry, rotateBankKeys } from './support/bank.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { dumpScreensOnFailure } from './support/failure.js';
import { startStack, type Stack } from './support/stack.js';

const WALLET_PASSPHRASE = 'correct horse battery';
const TILL_PASSPHRASE = 'market stall 42';

let stack: Stack;
let tb: TestBrowser;
let senderContext: BrowserContext;
let receiverContext: BrowserContext;
let sender: Page;
let receiver: Page;
let before: { alice: Record<string, bigint>; bob: Record<string, bigint> };
/** The merchant code the till shows (docs/protocol.md §5.5), to find on the wallet's confirm. */
let tillCode = '';

beforeAll(async () => {
  stack = await startStack();
  tb = await launchBrowser();
  senderContext = await tb.browser.newContext({ ...PHONE });
  receiverContext = await tb.browser.newContext({ ...PHONE, permissions: ['camera'] });
  before = {
    alice: await balances(stack.bankUrl, ALICE),
    bob: await balances(stack.bankUrl, BOB),
  };
});

dumpScreensOnFailure({
  pages: () => ({ sender, receiver }),
  bankLog: () => stack.bankLog(),
  prefix: 'offpay-e2e',
});

afterAll(async () => {
  await tb?.close();
  await stack?.stop();
});

/**
 * The kid of the KEM key the till seals its batches to now (docs/protocol.md §3: the first 8
 * bytes of SHA-256 of the key), read from its pinned keys in IndexedDB.
 */
function tillKemKeyKid(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const open = indexedDB.open('offpay-receiver');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(new Error(String(open.error)));
    });
    const row = await new Promise<{ kemKey: Uint8Array<ArrayBuffer> }>((ok, fail) => {
      const get = db.transaction('meta').objectStore('meta').get('bankKeys');
      get.onsuccess = () => ok(get.result as { kemKey: Uint8Array<ArrayBuffer> });
      get.onerror = () => fail(new Error(String(get.error)));
    });
    db.close();
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', row.kemKey));
    return [...hash.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
  });
}

describe('a payment from first run to settlement', () => {
  it('sets up and enrolls both apps while online', async () => {
    sender = await openApp(senderContext, stack.senderUrl);
    await onScreen(sender, 'Set up your wallet');
    await screenshot(sender, 'sender-setup');
    await setUp(sender, {
      bankUrl: stack.bankUrl,
      passphrase: WALLET_PASSPHRASE,
      create: 'Create wallet',
    });
    await enroll(sender, { ...ALICE, allowance: '20.00' });
    await onScreen(sender, 'Wallet');
    await see(sender, '20.00 EUR left');

    expect(await installabilityErrors(sender)).toEqual([]);

    receiver = await openApp(receiverContext, stack.receiverUrl);
    expect(await installabilityErrors(receiver)).toEqual([]);
    await onScreen(receiver, 'Set up your till');
    await setUp(receiver, {
      bankUrl: stack.bankUrl,
      passphrase: TILL_PASSPHRASE,
      create: 'Create till',
    });
    // The demo seed leaves Bob's merchant application pending: an operator approves it first.
    expect(await approveBobsMarket(stack.bankUrl)).toMatchObject({ state: 'approved' });
    await enroll(receiver, BOB);
    await onScreen(receiver, 'Till');
    await see(receiver, "Bob's Market");
    tillCode = (await receiver.locator('.merchant-code strong').innerText()).trim();
    expect(tillCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('pays by files with both phones offline', async () => {
    await senderContext.setOffline(true);
    await receiverContext.setOffline(true);

    await requestPayment(receiver, '2.50', 'Coffee');
    await screenshot(receiver, 'receiver-request');
    const request = await download(receiver);

    await click(sender, 'Pay');
    await onScreen(sender, 'Pay');
    await openFile(sender, request);
    await onScreen(sender, 'Confirm payment');
    await see(sender, "Bob's Market");
    await see(sender, tillCode);
    await see(sender, '2.50 EUR');
    await screenshot(sender, 'sender-confirm');
    await click(sender, 'Confirm and pay');
    await onScreen(sender, 'Show this to the receiver');
    await screenshot(sender, 'sender-payment');
    const payment = await download(sender);

    await openFile(receiver, payment);
    await see(receiver, 'Payment accepted');
    await screenshot(receiver, 'receiver-accepted');
    const receipt = await download(receiver);

    await openFile(sender, receipt);
    await see(sender, 'Receipt checked');
    await screenshot(sender, 'sender-receipt');
    await home(sender, 'Wallet');
    await see(sender, '17.50 EUR left');

    // The same payment again, and a copy with one character of its data changed.
    await home(receiver, 'Till');
    await requestPayment(receiver, '1.25', 'Croissant');
    const tampered = JSON.parse(payment.text) as { data: string };
    const i = Math.floor(tampered.data.length / 2);
    tampered.data = `${tampered.data.slice(0, i)}${tampered.data[i] === 'A' ? 'B' : 'A'}${tampered.data.slice(i + 1)}`;
    await openFile(receiver, { name: 'tampered.json', text: JSON.stringify(tampered) });
    await see(receiver, 'Damaged or tampered');
    await openFile(receiver, payment);
    await see(receiver, 'Already accepted');
    await screenshot(receiver, 'receiver-refused');
  });

  it('pays by QR codes: a picture of the request, the camera for the payment', async () => {
    await click(sender, 'Pay');
    await onScreen(sender, 'Pay');
    await scanPictureOf(sender, receiver, 'Payment request QR code');
    await onScreen(sender, 'Confirm payment');
    await see(sender, '1.25 EUR');
    await click(sender, 'Confirm and pay');
    await onScreen(sender, 'Show this to the receiver');

    tb.showToCamera([await photoOfQr(sender, 'Payment QR code')]);
    await click(receiver, 'Scan with camera');
    await see(receiver, 'Payment accepted');

    await scanPictureOf(sender, receiver, 'Receipt QR code');
    await see(sender, 'Receipt checked');

    // Smaller codes: the payment as an animated sequence, filmed frame by frame off the screen
    // and played to the till's camera, which collects every part.
    await home(receiver, 'Till');
    await requestPayment(receiver, '0.75', 'Water');
    await home(sender, 'Wallet');
    await click(sender, 'Pay');
    await scanPictureOf(sender, receiver, 'Payment request QR code');
    await click(sender, 'Confirm and pay');
    await onScreen(sender, 'Show this to the receiver');
    await click(sender, 'Smaller codes');
    const frames = await filmAnimatedQr(sender, 'Payment QR code');
    expect(frames.length).toBeGreaterThan(1);
    tb.showToCamera(frames);
    await click(receiver, 'Scan with camera');
    await see(receiver, 'Payment accepted');
    await scanPictureOf(sender, receiver, 'Receipt QR code');
    await see(sender, 'Receipt checked');
  });

  it('keeps every state across a reload while offline', async () => {
    await sender.reload();
    await ready(sender);
    await unlock(sender, WALLET_PASSPHRASE);
    await onScreen(sender, 'Wallet');
    await see(sender, '15.50 EUR left');
    await click(sender, 'History');
    await onScreen(sender, 'History');
    await expect.poll(() => sender.getByText('receipted', { exact: true }).count()).toBe(3);
    await screenshot(sender, 'sender-history');

    await receiver.reload();
    await ready(receiver);
    await unlock(receiver, TILL_PASSPHRASE);
    await onScreen(receiver, 'Till');
    await click(receiver, 'Ledger');
    await see(receiver, 'Ledger intact: 3 entries');
    await screenshot(receiver, 'receiver-ledger');
  });

  it('makes a wallet restored on a new phone enroll again before it pays', async () => {
    await home(sender, 'Wallet');
    await click(sender, 'Backup and settings');
    await sender.getByLabel('Passphrase for backup').fill(WALLET_PASSPHRASE);
    const backup = await download(sender, 'Download backup');

    const phone = await tb.browser.newContext({ ...PHONE });
    const restored = await openApp(phone, stack.senderUrl);
    await onScreen(restored, 'Set up your wallet');
    await restored.getByLabel('Backup file').setInputFiles({
      name: backup.name,
      mimeType: 'application/json',
      buffer: Buffer.from(backup.text),
    });
    await restored.getByLabel('Backup passphrase').fill(WALLET_PASSPHRASE);
    await click(restored, 'Restore');
    await onScreen(restored, 'Enroll with your bank');
    await see(restored, 'Restored from a backup: enroll again before paying');
    await expect(restored.getByRole('button', { name: 'Pay', exact: true }).count()).resolves.toBe(
      0,
    );
    await enroll(restored, { ...ALICE, allowance: '10.00' });
    await onScreen(restored, 'Wallet');
    await see(restored, '10.00 EUR left');
    await phone.close();
  });

  it('settles back online with live status, and the bank balances match', async () => {
    // Still offline, the till exports its sealed batch: a file anyone may carry to the bank.
    await home(receiver, 'Till');
    await screenshot(receiver, 'receiver-home');
    await click(receiver, 'Settle');
    await onScreen(receiver, 'Settle');
    await screenshot(receiver, 'receiver-settle');
    const batchFile = await download(receiver, 'Export batch file');

    // Midway, the bank rotates its signing and KEM keys (issue #12 item 4). The till enrolled
    // before it follows the signed announcements when it goes online, and settles: the result
    // is signed by the new key, the batch file sealed before it still opens.
    const rotated = await rotateBankKeys(stack.bankUrl);

    await receiverContext.setOffline(false);
    await click(receiver, 'Settle now');
    await signIn(receiver, BOB);
    await see(receiver, 'Following the bank live');
    await expect
      .poll(() => receiver.getByText('Settled', { exact: true }).count(), { timeout: 60_000 })
      .toBe(3);
    await screenshot(receiver, 'receiver-settled');
    expect(await tillKemKeyKid(receiver)).toBe(rotated.kem);

    await senderContext.setOffline(false);
    await home(sender, 'Wallet');
    await click(sender, 'Sync with bank');
    await signIn(sender, ALICE);
    await see(sender, 'Synced with the bank');
    await screenshot(sender, 'sender-sync');
    await click(sender, 'History');
    await expect
      .poll(() => sender.getByText('settled', { exact: true }).count(), { timeout: 60_000 })
      .toBe(3);
    await home(sender, 'Wallet');
    await screenshot(sender, 'sender-home');

    const alice = await balances(stack.bankUrl, ALICE);
    const bob = await balances(stack.bankUrl, BOB);
    // Bob received 2.50 + 1.25 + 0.75; Alice reserved 20.00 and, on the restored phone, 10.00.
    expect((bob['customer'] ?? 0n) - (before.bob['customer'] ?? 0n)).toBe(450n);
    expect((before.alice['customer'] ?? 0n) - (alice['customer'] ?? 0n)).toBe(3000n);

    // The exported file carried to the bank afterwards, with no login (the README's curl line):
    // the stored result again, and nothing moves.
    const carried = await carry(stack.bankUrl, batchFile.text);
    expect(carried.replayed).toBe(true);
    expect(carried.results.map((r) => r.status)).toEqual(['settled', 'settled', 'settled']);
    expect(await balances(stack.bankUrl, BOB)).toEqual(bob);
  });

  it('refunds part of a settled payment from the till, and the payer is credited', async () => {
    const alice = await balances(stack.bankUrl, ALICE);
    const bob = await balances(stack.bankUrl, BOB);
    await home(receiver, 'Till');
    await click(receiver, 'Ledger');
    await onScreen(receiver, 'Ledger');
    await receiver.getByRole('button', { name: /^Refund entry #\d+ \(2\.50 EUR\)$/ }).click();
    await onScreen(receiver, /^Refund entry #\d+$/);
    await see(receiver, 'Paid 2.50 EUR · refunded 0.00 EUR · refundable 2.50 EUR');
    await receiver.getByLabel('Amount to refund').fill('1.00');
    await receiver.getByLabel('Reason (optional)').fill('Broken mug');
    await click(receiver, 'Refund');
    await see(receiver, 'Refunded 1.00 EUR');
    await see(receiver, 'Paid 2.50 EUR · refunded 1.00 EUR · refundable 1.50 EUR');
    await screenshot(receiver, 'receiver-refund');
    // More than remains is refused, in words, and nothing moves.
    await receiver.getByLabel('Amount to refund').fill('2.00');
    await click(receiver, 'Refund');
    await see(receiver, 'Too much to refund');

    const aliceAfter = await balances(stack.bankUrl, ALICE);
    const bobAfter = await balances(stack.bankUrl, BOB);
    expect((bob['customer'] ?? 0n) - (bobAfter['customer'] ?? 0n)).toBe(100n);
    expect((aliceAfter['customer'] ?? 0n) - (alice['customer'] ?? 0n)).toBe(100n);

    // Alice's wallet learns it at its next sync and shows it on the payment.
    await home(sender, 'Wallet');
    await click(sender, 'Sync with bank');
    await see(sender, 'Synced with the bank');
    await click(sender, 'History');
    await see(sender, 'Refunded 1.00 EUR by the merchant');
  });
});

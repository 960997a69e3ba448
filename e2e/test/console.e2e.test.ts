/**
 * The operators' console in a real browser (issue #13 item 8): the operator signs in with TOTP,
 * approves Bob's Market, credits Alice by a statement import; Alice pays offline, Bob settles and
 * refunds part; Bob's payout (requested over the API: the till has no payout screen) is approved,
 * exported, its pain.001 downloaded and confirmed in the console — and every balance (Alice, Bob,
 * the bank's clearing account) is checked against the integers the journey must leave.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  click,
  download,
  enroll,
  home,
  onScreen,
  openApp,
  openFile,
  PHONE,
  ready,
  requestPayment,
  screenshot,
  see,
  setUp,
  signIn,
} from './support/apps.js';
import {
  ALICE,
  BOB,
  OPERATOR,
  balances,
  freshOperatorCode,
  operatorHeaders,
  requestPayout,
  systemBalances,
} from './support/bank.js';
import { launchBrowser, type TestBrowser } from './support/browser.js';
import { dumpScreensOnFailure } from './support/failure.js';
import { ROOT, startStack, type Stack } from './support/stack.js';

const DESKTOP = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const REASON = 'Reason (kept in the audit log)';

let stack: Stack;
let tb: TestBrowser;
let consoleContext: BrowserContext;
let senderContext: BrowserContext;
let receiverContext: BrowserContext;
let op: Page;
let sender: Page;
let receiver: Page;
/** Balances before the journey, by account kind, in minor units. */
let before: {
  alice: Record<string, bigint>;
  bob: Record<string, bigint>;
  /** The bank's own accounts (clearing, payout_hold, …), read as an operator. */
  bank: Record<string, bigint>;
};

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'apps', 'console', 'dist', 'index.html'))) {
    throw new Error(
      'apps/console/dist is missing: run `pnpm --filter @offpay/console build` first',
    );
  }
  stack = await startStack();
  tb = await launchBrowser();
  consoleContext = await tb.browser.newContext({ ...DESKTOP, acceptDownloads: true });
  senderContext = await tb.browser.newContext({ ...PHONE });
  receiverContext = await tb.browser.newContext({ ...PHONE });
  before = {
    alice: await balances(stack.bankUrl, ALICE),
    bob: await balances(stack.bankUrl, BOB),
    bank: await systemBalances(stack.bankUrl, await operatorHeaders(stack.bankUrl)),
  };
});

dumpScreensOnFailure({
  pages: () => ({ console: op, sender, receiver }),
  bankLog: () => stack.bankLog(),
  prefix: 'offpay-e2e-console',
});

afterAll(async () => {
  await tb?.close();
  await stack?.stop();
});

/** Opens a console screen from the nav list, as a keyboard or mouse user does. */
async function openScreen(title: string): Promise<void> {
  await op
    .getByRole('navigation', { name: 'Console' })
    .getByRole('button', { name: title, exact: true })
    .click();
  await onScreen(op, title);
}

/** Fills the reason inside `within` (a section of the page, or the page) and submits. */
async function withReason(
  within: Page | ReturnType<Page['getByRole']>,
  reason: string,
  submit: string,
): Promise<void> {
  await within.getByLabel(REASON).fill(reason);
  await within.getByRole('button', { name: submit, exact: true }).click();
}

describe("an operator's day in the console", () => {
  it('signs the operator in with password and TOTP code', async () => {
    op = await consoleContext.newPage();
    await op.goto(stack.consoleUrl);
    await ready(op);
    await onScreen(op, 'Operator sign in');
    await screenshot(op, 'console-signin');
    // A wrong code is refused in words, and nothing opens.
    await op.getByLabel('Email').fill(OPERATOR.email);
    await op.getByLabel('Password', { exact: true }).fill(OPERATOR.password);
    await op.getByLabel('Authenticator code').fill('000000');
    await click(op, 'Sign in');
    await see(op, 'Sign-in refused');
    await onScreen(op, 'Operator sign in');

    await op.getByLabel('Password', { exact: true }).fill(OPERATOR.password);
    await op.getByLabel('Authenticator code').fill(await freshOperatorCode());
    await click(op, 'Sign in');
    await onScreen(op, 'Live activity');
    await see(op, `${OPERATOR.email} (operator)`);
  });

  it("approves Bob's Market", async () => {
    await openScreen('Merchant applications');
    await see(op, 'Bob Martin, sole trader');
    await screenshot(op, 'console-merchants');
    await click(op, "Approve Bob's Market");
    await withReason(op, 'Identity and trading name checked', 'Approve');
    await see(op, "Bob's Market: approved");
    await see(op, 'No applications in this state.');
  });

  it('credits Alice by a statement import', async () => {
    await openScreen('Deposits');
    const importing = op.getByRole('region', { name: 'Import a statement' });
    await importing.getByLabel('Statement file (CSV)').setInputFiles({
      name: 'statement.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'reference,date,account,amount_minor,currency,description\n' +
          'E2E-ALICE-0001,2026-12-06,alice@example.com,5000,EUR,Top-up by transfer\n',
      ),
    });
    await withReason(importing, 'Daily statement of the outside bank', 'Import statement');
    await see(op, 'Statement imported: 1 applied, 0 already applied, 0 refused');
    await see(op, 'E2E-ALICE-0001');
    await screenshot(op, 'console-deposits');
  });

  it('lets Alice pay Bob offline by files', async () => {
    sender = await openApp(senderContext, stack.senderUrl);
    await setUp(sender, {
      bankUrl: stack.bankUrl,
      passphrase: 'correct horse battery',
      create: 'Create wallet',
    });
    await enroll(sender, { ...ALICE, allowance: '20.00' });
    await onScreen(sender, 'Wallet');

    receiver = await openApp(receiverContext, stack.receiverUrl);
    await setUp(receiver, {
      bankUrl: stack.bankUrl,
      passphrase: 'market stall 42',
      create: 'Create till',
    });
    // Approved in the console above: Bob's till is enrolled under the verified name.
    await enroll(receiver, BOB);
    await onScreen(receiver, 'Till');
    await see(receiver, "Bob's Market");

    await senderContext.setOffline(true);
    await receiverContext.setOffline(true);
    await requestPayment(receiver, '2.50', 'Vegetables');
    const request = await download(receiver);
    await click(sender, 'Pay');
    await openFile(sender, request);
    await onScreen(sender, 'Confirm payment');
    await click(sender, 'Confirm and pay');
    await onScreen(sender, 'Show this to the receiver');
    const payment = await download(sender);
    await openFile(receiver, payment);
    await see(receiver, 'Payment accepted');
    await openFile(sender, await download(receiver));
    await see(sender, 'Receipt checked');
  });

  it('lets Bob settle back online and refund part', async () => {
    await receiverContext.setOffline(false);
    await home(receiver, 'Till');
    await click(receiver, 'Settle');
    await onScreen(receiver, 'Settle');
    await click(receiver, 'Settle now');
    // The till still holds the session of its enrollment; it asks for the login only without one.
    const asked = receiver.getByLabel('Email');
    await asked.or(receiver.getByText('Following the bank live')).first().waitFor();
    if (await asked.isVisible()) await signIn(receiver, BOB);
    await expect
      .poll(() => receiver.getByText('Settled', { exact: true }).count(), { timeout: 60_000 })
      .toBe(1);

    await home(receiver, 'Till');
    await click(receiver, 'Ledger');
    await receiver.getByRole('button', { name: /^Refund entry #\d+ \(2\.50 EUR\)$/ }).click();
    await receiver.getByLabel('Amount to refund').fill('1.00');
    await receiver.getByLabel('Reason (optional)').fill('Bruised apples');
    await click(receiver, 'Refund');
    await see(receiver, 'Refunded 1.00 EUR');

    await openScreen('Refunds');
    await see(op, 'Bruised apples');
    await screenshot(op, 'console-refunds');
  });

  it("exports Bob's payout, downloads its pain.001 and confirms it", async () => {
    const payout = await requestPayout(stack.bankUrl, BOB, {
      iban: 'DE89 3704 0044 0532 0130 00',
      holderName: 'Bob Martin',
      amountMinor: '150',
      key: 'e2e-console-payout-1',
    });
    expect(payout.state).toBe('requested');

    await openScreen('Payouts');
    await click(op, 'Approve 1.50 EUR to Bob Martin');
    await withReason(
      op.getByRole('region', { name: 'Approve: 1.50 EUR to Bob Martin' }),
      'Merchant payout checked against the IBAN holder',
      'Approve',
    );
    await see(op, 'Payout approved: 1.50 EUR to Bob Martin');

    const exporting = op.getByRole('region', { name: 'Export approved payouts' });
    await withReason(exporting, 'Evening payout run', 'Export a batch');
    await see(op, 'Batch exported: 1 payouts, 1.50 EUR');
    const pain = await download(op, 'Download pain.001');
    expect(pain.name).toMatch(/\.pain\.001\.xml$/);
    expect(pain.text).toContain('<NbOfTxs>1</NbOfTxs>');
    expect(pain.text).toContain('<CtrlSum>1.50</CtrlSum>');
    expect(pain.text).toContain('DE89370400440532013000');
    expect(pain.text).toContain(payout.id.replaceAll('-', ''));

    await op.getByLabel('State').selectOption('in_flight');
    await click(op, 'Confirm paid 1.50 EUR to Bob Martin');
    await withReason(
      op.getByRole('region', { name: 'Confirm paid: 1.50 EUR to Bob Martin' }),
      'On the outside bank statement',
      'Confirm paid',
    );
    await see(op, 'Payout confirmed: 1.50 EUR to Bob Martin');
    await screenshot(op, 'console-payouts');
  });

  it('leaves every balance as the journey says', async () => {
    const alice = await balances(stack.bankUrl, ALICE);
    const bob = await balances(stack.bankUrl, BOB);
    const bank = await systemBalances(stack.bankUrl, await operatorHeaders(stack.bankUrl));
    const was = (r: Record<string, bigint>, kind: string) => r[kind] ?? 0n;
    // Alice: +50.00 deposited, −20.00 into her reserve at enrollment, +1.00 refunded.
    expect(was(alice, 'customer')).toBe(was(before.alice, 'customer') + 5000n - 2000n + 100n);
    // Her reserve: 20.00 in, the 2.50 payment settled out of it.
    expect(was(alice, 'reserve')).toBe(was(before.alice, 'reserve') + 2000n - 250n);
    // Bob: +2.50 settled, −1.00 refunded, −1.50 paid out.
    expect(was(bob, 'customer')).toBe(was(before.bob, 'customer') + 250n - 100n - 150n);
    // Clearing: 50.00 came in from the outside bank, 1.50 went out to it.
    expect(was(bank, 'clearing')).toBe(was(before.bank, 'clearing') - 5000n + 150n);
    // Nothing is left held for a payout.
    expect(was(bank, 'payout_hold')).toBe(was(before.bank, 'payout_hold'));
  });

  it('shows the accounts, the audit chain, reconciliation and the day in the console', async () => {
    await openScreen('Accounts');
    await op.getByLabel('Search').fill('alice@example.com');
    await click(op, 'Search');
    await see(op, 'Accounts matching “alice@example.com”');
    await op.getByRole('button', { name: /^Open .*alice@example\.com.* \(customer\)$/ }).click();
    await onScreen(op, /^Account: /);
    await see(op, 'E2E-ALICE-0001');
    const statement = await download(op, 'Download statement (CSV)');
    expect(statement.text.split('\n')[0]).toContain('amount_minor');
    expect(statement.text).toContain('E2E-ALICE-0001');
    await screenshot(op, 'console-account');

    await openScreen('Audit log');
    await see(op, 'Chain verified ✓');
    await see(op, 'deposit');
    await screenshot(op, 'console-audit');

    await openScreen('Reconcile');
    await click(op, 'Run the check now');
    await see(op, 'The books agree ✓');
    await screenshot(op, 'console-reconcile');

    await openScreen('Daily summary');
    await see(op, /^Money on \d{4}-\d{2}-\d{2} \(UTC\), per currency$/);
    await screenshot(op, 'console-summary');

    await openScreen('Webhooks');
    await see(op, 'Deliveries, newest first');

    await openScreen('Live activity');
    await see(op, 'Reserves outstanding');
    await see(op, 'Database');
    await screenshot(op, 'console-activity');
  });

  it("revokes Alice's payer certificate as compromised after a confirm step", async () => {
    await openScreen('Certificates');
    await op.getByLabel('Search').fill('alice@example.com');
    await click(op, 'Search');
    await see(op, 'Certificates matching “alice@example.com”, newest first');
    const revoke = op.getByRole('button', { name: /^Revoke #\d+$/ }).first();
    const serial = ((await revoke.textContent()) ?? '').replace('Revoke #', '');
    await revoke.click();
    await op.getByLabel('Revocation reason').selectOption('compromised');
    await op.getByLabel(REASON).fill('Phone reported stolen');
    await click(op, 'Revoke');
    // Not without ticking the confirmation.
    await see(op, 'Tick the confirmation first');
    await op.getByLabel('I understand: revoking cannot be undone.').check();
    await click(op, 'Revoke');
    await see(op, `Certificate #${serial} revoked (compromised)`);
    await screenshot(op, 'console-certificates');
  });
});

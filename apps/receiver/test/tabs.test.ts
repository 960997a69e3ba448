/**
 * Two tabs of one till: each tab has its own database connection, and the ledger, its head and the
 * current request change in single IndexedDB transactions, which the browser runs one after the
 * other — so no accepted payment is ever overwritten, without a lock (a takeover under way takes
 * the till lock, withTillLock in src/state/till.ts: the Web Locks API or an in-page queue).
 */
import { decodeReceipt, emptyLedgerHead, verifyLedger, verifyReceipt } from '@offpay/protocol';
import { Money } from '@offpay/protocol';
import { openAppDb } from '@offpay/app-kit';
import { META, tillSchema } from '../src/db.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readLedger, toLedgerEntry } from '../src/state/ledger.js';
import { createRequest, findRequest } from '../src/state/requests.js';
import { acceptPayment, type Accepted } from '../src/state/accept.js';
import { makeTill, NOW, NOW_MS, sealFor, TestPayer, type TestTill } from './helpers.js';

/** A LockManager like the browser's: one holder per name, the others wait their turn. */
function fakeLocks(): { locks: LockManager; names: string[] } {
  const tails = new Map<string, Promise<unknown>>();
  const names: string[] = [];
  const request = (name: string, fn: () => Promise<unknown>): Promise<unknown> => {
    names.push(name);
    const run = (tails.get(name) ?? Promise.resolve()).then(fn);
    tails.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  };
  return { locks: { request } as unknown as LockManager, names };
}

async function secondTab(t: TestTill): Promise<TestTill> {
  return { ...t, db: await openAppDb(tillSchema, t.db.name) };
}

/**
 * Tab 1 accepts the payment for its request while tab 2 makes a new request (closing tab 1's) and
 * takes its payment. Which transaction runs first is the browser's choice: tab 1's payment is
 * taken (then both are, at 0 and 1) or refused as for a replaced request — never half-written.
 */
async function twoPaymentsFromTwoTabs(t: TestTill): Promise<Accepted[]> {
  const other = await secondTab(t);
  const { request: first } = await createRequest(
    t.db,
    t.till,
    { amount: Money.parse('2.50', 'EUR'), memo: '' },
    NOW,
  );
  const payer = new TestPayer(t.bank);
  const p1 = sealFor(t, payer.pay(first));
  // Tab 1 accepts the payment for its request while tab 2 makes a new request and takes its
  // payment.
  const inTab2 = async (): Promise<Accepted> => {
    const { request: second } = await createRequest(
      other.db,
      other.till,
      { amount: Money.parse('1.20', 'EUR'), memo: '' },
      NOW,
    );
    return acceptPayment(
      other.db,
      other.till,
      second.requestId,
      sealFor(t, payer.pay(second)),
      NOW_MS,
    );
  };
  const [inTab1, second] = await Promise.allSettled([
    acceptPayment(t.db, t.till, first.requestId, p1, NOW_MS),
    inTab2(),
  ]);
  if (second.status === 'rejected') throw second.reason;
  if (inTab1.status === 'fulfilled') return [inTab1.value, second.value];
  expect(inTab1.reason).toMatchObject({ code: 'APP_REQUEST_UNKNOWN' });
  return [second.value];
}

/** Every payment taken has its entry, the ledger one unbroken chain, each receipt its entry's. */
async function expectUnbrokenLedger(t: TestTill, accepted: Accepted[]): Promise<void> {
  const indices = accepted.map((_, i) => i);
  expect(accepted.map((a) => a.record.index).sort()).toEqual(indices);
  const records = await readLedger(t.db);
  expect(records.map((r) => r.index)).toEqual(indices);
  verifyLedger(records.map(toLedgerEntry), emptyLedgerHead(t.till.cert.serial));
  for (const a of accepted) {
    const receipt = decodeReceipt(a.receiptBytes);
    expect(() => verifyReceipt(receipt, t.till.cert, a.record.paymentId)).not.toThrow();
    expect(records[receipt.index]!.entryHash).toEqual(receipt.entryHash);
  }
}

describe('two tabs of one till', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('never fork the ledger when two tabs take payments at once (in-page queue)', async () => {
    const t = await makeTill();
    await expectUnbrokenLedger(t, await twoPaymentsFromTwoTabs(t));
  });

  it('never fork the ledger with Web Locks at hand, asking for none', async () => {
    const { locks, names } = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const t = await makeTill();
    await expectUnbrokenLedger(t, await twoPaymentsFromTwoTabs(t));
    // Requests and accepts are single transactions: no lock round trip on the payment path.
    expect(names).toEqual([]);
  });

  it('take the till lock for an accept while a ledger takeover is under way', async () => {
    const { locks, names } = fakeLocks();
    vi.stubGlobal('navigator', { locks });
    const t = await makeTill();
    await expectUnbrokenLedger(t, await twoPaymentsFromTwoTabs(t));
    await t.db.write([{ put: 'meta', key: META.handover, value: { step: 'keys' } }]);
    const { request } = await createRequest(
      t.db,
      t.till,
      { amount: Money.parse('0.70', 'EUR'), memo: '' },
      NOW,
    );
    const payment = sealFor(t, new TestPayer(t.bank).pay(request));
    const taken = await acceptPayment(t.db, t.till, request.requestId, payment, NOW_MS);
    // Its switch to the new keys clears the settled ledger under that lock (handover.ts).
    expect(names).toEqual(['offpay-till-ledger']);
    const before = (await readLedger(t.db)).length - 1;
    expect(taken.record.index).toBe(before);
    expect(before).toBeGreaterThanOrEqual(1);
  });

  it('take one payment for a request scanned in both tabs at once: the other is refused', async () => {
    const t = await makeTill();
    const other = await secondTab(t);
    const { request: asked } = await createRequest(
      t.db,
      t.till,
      { amount: Money.parse('2.50', 'EUR'), memo: '' },
      NOW,
    );
    const a = sealFor(t, new TestPayer(t.bank).pay(asked));
    const b = sealFor(t, new TestPayer(t.bank).pay(asked));
    const outcomes = await Promise.allSettled([
      acceptPayment(t.db, t.till, asked.requestId, a, NOW_MS),
      acceptPayment(other.db, other.till, asked.requestId, b, NOW_MS),
    ]);
    const taken = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(taken).toHaveLength(1);
    expect(refused).toMatchObject([
      { code: 'APP_REQUEST_ALREADY_PAID', details: { paidIndex: 0 } },
    ]);
    const records = await readLedger(t.db);
    expect(records).toHaveLength(1);
    expect(records[0]!.paymentId).toEqual(taken[0]!.record.paymentId);
    expect((await findRequest(t.db, asked.requestId))?.request.paidIndex).toBe(0);
  });
});

/**
 * The ledger's integrity check (src/state/ledger.ts): an intact ledger passes; any change to a
 * stored entry, a removed entry or a removed last entry is found.
 */
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../src/db.js';
import {
  checkLedger,
  ledgerRows,
  ledgerSummary,
  readLedger,
  summaryLine,
} from '../src/state/ledger.js';
import {
  accept,
  makeTill,
  payRequest,
  request,
  sealFor,
  TestPayer,
  type TestTill,
} from './helpers.js';

async function tillWithPayments(amounts: string[]): Promise<TestTill> {
  const t = await makeTill();
  const payer = new TestPayer(t.bank);
  for (const amount of amounts) {
    await payRequest(t, payer, amount);
  }
  return t;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'intact';
}

describe('the ledger integrity check', () => {
  it('passes an intact ledger and summarises it', async () => {
    const t = await tillWithPayments(['2.50', '1.00', '0.75']);
    expect(await checkLedger(t.db, t.till)).toHaveLength(3);
    const summary = await ledgerSummary(t.db, t.till);
    expect(summary.count).toBe(3);
    expect(summary.unsettled.toString()).toBe('4.25 EUR');
    expect(summaryLine(summary)).toBe('3 payments; 3 not yet settled (4.25 EUR).');
    const rows = await ledgerRows(t.db, t.till);
    expect(rows.map((r) => [r.index, r.amount.toString(), r.status])).toEqual([
      [2, '0.75 EUR', 'accepted'],
      [1, '1.00 EUR', 'accepted'],
      [0, '2.50 EUR', 'accepted'],
    ]);
  });

  it('finds a stored entry whose payment bytes were changed', async () => {
    const t = await tillWithPayments(['2.50', '1.00']);
    const [first] = await readLedger(t.db);
    const payment = new Uint8Array(first!.payment);
    payment[payment.length - 5] = payment[payment.length - 5]! ^ 0x10;
    await t.db.write([{ put: 'ledger', value: { ...first!, payment } }]);
    expect(await codeOf(checkLedger(t.db, t.till))).toBe('PROTO_LEDGER_BROKEN');
  });

  it('finds an entry whose amount was edited to look like another payment', async () => {
    const t = await tillWithPayments(['2.50']);
    const [first] = await readLedger(t.db);
    const second = await tillWithPayments(['9.00']);
    const [other] = await readLedger(second.db);
    await t.db.write([{ put: 'ledger', value: { ...first!, payment: other!.payment } }]);
    expect(await codeOf(checkLedger(t.db, t.till))).toBe('PROTO_LEDGER_BROKEN');
  });

  it('finds a record whose stored amount no longer matches its payment', async () => {
    const t = await tillWithPayments(['2.50']);
    const [first] = await readLedger(t.db);
    await t.db.write([{ put: 'ledger', value: { ...first!, amount: 25_000 } }]);
    expect(await codeOf(checkLedger(t.db, t.till))).toBe('PROTO_LEDGER_BROKEN');
  });

  it('finds a removed middle entry and a removed last entry', async () => {
    const t = await tillWithPayments(['1.00', '2.00', '3.00']);
    const records = await readLedger(t.db);
    await t.db.write([{ delete: 'ledger', key: 1 }]);
    expect(await codeOf(checkLedger(t.db, t.till))).toBe('PROTO_LEDGER_INDEX');
    await t.db.write([
      { put: 'ledger', value: records[1]! },
      { delete: 'ledger', key: 2 },
    ]);
    expect(await codeOf(checkLedger(t.db, t.till))).toBe('PROTO_LEDGER_BROKEN');
  });

  it('refuses to append to a ledger whose head no longer matches its last entry', async () => {
    const t = await tillWithPayments(['1.00', '2.00']);
    await t.db.write([{ delete: 'ledger', key: 1 }]);
    const r = await request(t, '4.00');
    const sealed = sealFor(t, new TestPayer(t.bank).pay(r));
    expect(await codeOf(accept(t, r, sealed))).toBe('PROTO_LEDGER_BROKEN');
  });

  it('reads a malformed stored row as a broken ledger', async () => {
    const t = await tillWithPayments(['1.00']);
    const [first] = await readLedger(t.db);
    await t.db.write([
      { put: 'ledger', value: { ...first!, amount: 'zero' } as unknown as LedgerRecord },
    ]);
    expect(await codeOf(checkLedger(t.db, t.till))).toBe('PROTO_LEDGER_BROKEN');
  });
});

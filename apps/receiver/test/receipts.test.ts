/**
 * The receipt signed while the accept's reads run (src/state/receipts.ts): for the head this tab
 * wrote last. When the transaction reads another head — another tab took a payment meanwhile —
 * the receipt is signed again, for the entry actually stored; a payment refused after it was
 * signed ahead gets no receipt and leaves no trace.
 */
import { openAppDb } from '@offpay/app-kit';
import {
  decodeReceipt,
  emptyLedgerHead,
  Money,
  verifyLedger,
  verifyReceipt,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { tillSchema } from '../src/db.js';
import { acceptPayment, type Accepted } from '../src/state/accept.js';
import { readLedger, toLedgerEntry } from '../src/state/ledger.js';
import { createRequest } from '../src/state/requests.js';
import { makeTill, NOW, NOW_MS, sealFor, TestPayer, type TestTill } from './helpers.js';

/** Makes a request in `tab`, has `payer` pay it and accepts the payment there. */
async function payIn(tab: TestTill, payer: TestPayer, nowMs = NOW_MS): Promise<Accepted> {
  const input = { amount: Money.parse('1.00', 'EUR'), memo: '' };
  const { request } = await createRequest(tab.db, tab.till, input, NOW);
  const sealed = sealFor(tab, payer.pay(request));
  return acceptPayment(tab.db, tab.till, request.requestId, sealed, nowMs);
}

/** Each receipt is signed by the till, for its payment, naming its stored entry and time. */
async function expectReceiptsOfStoredEntries(t: TestTill, accepted: Accepted[]): Promise<void> {
  const records = await readLedger(t.db);
  verifyLedger(records.map(toLedgerEntry), emptyLedgerHead(t.till.cert.serial));
  for (const a of accepted) {
    const receipt = decodeReceipt(a.receiptBytes);
    expect(() => verifyReceipt(receipt, t.till.cert, a.record.paymentId)).not.toThrow();
    const stored = records[receipt.index]!;
    expect(stored.paymentId).toEqual(a.record.paymentId);
    expect(receipt.entryHash).toEqual(stored.entryHash);
    expect(receipt.acceptedAt).toBe(stored.acceptedAt);
    expect(stored.receipt).toEqual(a.receiptBytes);
  }
}

describe('the receipt signed ahead', () => {
  it('is signed again when another tab moved the head since this tab last wrote it', async () => {
    const t = await makeTill();
    const other = { ...t, db: await openAppDb(tillSchema, t.db.name) };
    const payer = new TestPayer(t.bank);
    const first = await payIn(t, payer); // this tab's head: entry 0
    const meanwhile = await payIn(other, payer); // entry 1, written by the other tab
    const stale = await payIn(t, payer); // signed ahead for index 1; the head read says 2
    expect([first, meanwhile, stale].map((a) => a.record.index)).toEqual([0, 1, 2]);
    expect(decodeReceipt(stale.receiptBytes).index).toBe(2);
    const next = await payIn(t, payer); // this tab's guess is right again
    expect(decodeReceipt(next.receiptBytes).index).toBe(3);
    await expectReceiptsOfStoredEntries(t, [first, meanwhile, stale, next]);
  });

  it('carries the time the accept read, a minute later as well', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const first = await payIn(t, payer, NOW_MS);
    const later = await payIn(t, payer, NOW_MS + 61_000);
    expect(decodeReceipt(later.receiptBytes).acceptedAt).toBe(NOW + 61);
    await expectReceiptsOfStoredEntries(t, [first, later]);
  });

  it('is dropped with a payment refused after it was signed: the next one takes the index', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    const first = await payIn(t, payer);
    const input = { amount: Money.parse('1.00', 'EUR'), memo: '' };
    const { request } = await createRequest(t.db, t.till, input, NOW);
    const payment = payer.pay(request);
    const copy = { ...payment, signature: new Uint8Array(payment.signature).fill(1, 0, 8) };
    const refused = acceptPayment(t.db, t.till, request.requestId, sealFor(t, copy), NOW_MS);
    await expect(refused).rejects.toMatchObject({ code: 'PROTO_SIGNATURE_INVALID' });
    expect(await readLedger(t.db)).toHaveLength(1);
    const taken = await acceptPayment(t.db, t.till, request.requestId, sealFor(t, payment), NOW_MS);
    expect(taken.record.index).toBe(1);
    await expectReceiptsOfStoredEntries(t, [first, taken]);
  });
});

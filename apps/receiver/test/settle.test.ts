/**
 * Settlement (src/state/batches.ts, src/state/settle.ts): batches start at the settled head, the
 * bank's signed answer moves it and marks every entry, an exported file and a later "Settle now"
 * settle each entry once, and a forged answer changes nothing.
 */
import { generateSecretKey } from '@offpay/crypto';
import {
  appendToLedger,
  decodeFile,
  decodeSettlementResult,
  encodePayment,
  encodeSettlementResult,
  LIMITS,
  signSettlementResult,
} from '@offpay/protocol';
import { AppError, BankRefusal, lastBankTime, plainReason } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import {
  applySettlement,
  buildBatches,
  exportBatches,
  pendingBatches,
  unsettled,
  verifyAnswer,
} from '../src/state/batches.js';
import { META, type LedgerRecord, type TillDb } from '../src/db.js';
import { ledgerRows, ledgerSummary } from '../src/state/ledger.js';
import { settleNow, type OutcomeLine, type SettleProgress } from '../src/state/settle.js';
import { readHead, type Till } from '../src/state/till.js';
import { FakeBank } from './fake-bank.js';
import { makeTill, NOW, NOW_MS, payRequest, request, TestPayer, type TestTill } from './helpers.js';

const settledHead = (db: TillDb, till: Till) => readHead(db, META.settledHead, till);

async function pay(t: TestTill, payer: TestPayer, amounts: string[]): Promise<void> {
  for (const amount of amounts) {
    await payRequest(t, payer, amount);
  }
}

function settle(t: TestTill, bank: FakeBank, progress: SettleProgress[] = []) {
  return settleNow(t.db, t.till, bank.client(), 'token', (p) => progress.push(p), NOW_MS);
}

describe('settling online', () => {
  it('sends the ledger from the settled head and applies the signed answer', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['2.50', '1.00']);
    const progress: SettleProgress[] = [];
    expect(await settle(t, bank, progress)).toEqual({
      batches: 1,
      entries: 2,
      live: true,
      signedOut: false,
    });

    expect(progress.filter((p) => p.kind === 'status').map((p) => p.text)).toEqual([
      'Following the bank live',
      'Sending 2 payments to the bank…',
      'The bank answered',
    ]);
    // The live event first (provisional), then the signed result's lines, which replace them.
    const results = progress.filter((p) => p.kind === 'results');
    expect(results.map((r) => r.final)).toEqual([false, true]);
    expect(results[1]!.lines.map((l) => [l.index, l.amount.toString(), l.text])).toEqual([
      [0, '2.50 EUR', 'Settled'],
      [1, '1.00 EUR', 'Settled'],
    ]);
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(2);
    expect((await ledgerRows(t.db, t.till)).map((r) => r.status)).toEqual(['settled', 'settled']);
    expect((await ledgerSummary(t.db, t.till)).unsettled.toString()).toBe('0.00 EUR');
    expect(await pendingBatches(t.db)).toEqual([]);
  });

  it('continues the next batch from the settled head', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    const payer = new TestPayer(t.bank);
    await pay(t, payer, ['1.00', '2.00']);
    await settle(t, bank);
    await pay(t, payer, ['3.00']);
    const { from, records } = await unsettled(t.db, t.till);
    expect(from.nextIndex).toBe(2);
    expect(records.map((r) => r.index)).toEqual([2]);
    const [built] = buildBatches(t.till, from, records);
    expect(built!.batch.fromIndex).toBe(2);
    expect(built!.batch.prevHead).toEqual(from.head);
    await settle(t, bank);
    expect(bank.head.nextIndex).toBe(3);
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(3);
  });

  it('records a rejected entry with the bank code and still moves the head past it', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    bank.rejectAt.set(1, 'PROTO_CERT_EXPIRED');
    await pay(t, new TestPayer(t.bank), ['1.00', '2.00', '3.00']);
    const progress: SettleProgress[] = [];
    await settle(t, bank, progress);
    const rows = await ledgerRows(t.db, t.till);
    expect(rows.map((r) => [r.index, r.status, r.code])).toEqual([
      [2, 'settled', ''],
      [1, 'rejected', 'PROTO_CERT_EXPIRED'],
      [0, 'settled', ''],
    ]);
    const lines = progress.flatMap((p) => (p.kind === 'results' && p.final ? p.lines : []));
    expect(lines[1]!.status).toBe('rejected');
    expect(lines[1]!.text).not.toBe('Settled');
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(3);
  });

  it('takes the bank time from the signed result (settledAt), never from an unsigned field', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['1.00']);
    expect(await lastBankTime(t.db)).toBeUndefined();
    await settle(t, bank);
    expect(await lastBankTime(t.db)).toBe(NOW);
  });

  it('always ends with the signed result’s words, whatever the live event said', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    bank.rejectAt.set(1, 'PROTO_CERT_EXPIRED');
    await pay(t, new TestPayer(t.bank), ['1.00', '2.00', '3.00']);
    // The unsigned live event claims all settled, lists them out of order, and names a payment
    // id that is not the ledger's at index 2.
    bank.tamperLive = (e) => ({
      ...e,
      results: e.results
        .map((r) => ({
          ...r,
          status: 'settled' as const,
          code: '' as const,
          paymentId: r.index === 2 ? '00'.repeat(32) : r.paymentId,
        }))
        .reverse(),
    });
    const progress: SettleProgress[] = [];
    await settle(t, bank, progress);
    const results = progress.filter((p) => p.kind === 'results');
    expect(results.map((r) => r.final)).toEqual([false, true]);
    const words = (lines: OutcomeLine[]) =>
      lines.map((l) => [l.index, l.amount.toString(), l.text]);
    // Live lines are matched by index and payment id, never by position: #2 is left out.
    expect(words(results[0]!.lines)).toEqual([
      [1, '2.00 EUR', 'Settled'],
      [0, '1.00 EUR', 'Settled'],
    ]);
    expect(words(results[1]!.lines)).toEqual([
      [0, '1.00 EUR', 'Settled'],
      [1, '2.00 EUR', plainReason('PROTO_CERT_EXPIRED')],
      [2, '3.00 EUR', 'Settled'],
    ]);
    expect(results[1]!.batchKey).toBe(results[0]!.batchKey);
  });

  it('takes back live lines the signed result never confirmed', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['1.00']);
    bank.tamper = (answer) => {
      const real = decodeSettlementResult(answer.signed);
      return {
        ...answer,
        signed: encodeSettlementResult(signSettlementResult(real, generateSecretKey())),
      };
    };
    const progress: SettleProgress[] = [];
    await expect(settle(t, bank, progress)).rejects.toMatchObject({ code: 'PROTO_UNKNOWN_ISSUER' });
    const results = progress.filter((p) => p.kind === 'results');
    expect(results.map((r) => [r.final, r.lines.length])).toEqual([
      [false, 1],
      [true, 0],
    ]);
  });

  it('still settles when the live stream cannot open, and says the token was refused', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    bank.eventsError = new BankRefusal('BANK_TOKEN_EXPIRED', 'expired', 401);
    await pay(t, new TestPayer(t.bank), ['1.00']);
    const progress: SettleProgress[] = [];
    const done = await settle(t, bank, progress);
    expect(done).toMatchObject({ entries: 1, live: false, signedOut: true });
    expect(progress[0]).toEqual({
      kind: 'status',
      text: 'Live updates unavailable: waiting for the bank’s answer',
    });
    expect(progress.some((p) => p.kind === 'results')).toBe(true);
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(1);
  });

  it('sends nothing, and claims nothing, when the bank cannot be reached', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    bank.eventsError = new AppError('APP_OFFLINE');
    await pay(t, new TestPayer(t.bank), ['1.00']);
    const progress: SettleProgress[] = [];
    const before = await t.db.snapshot();
    await expect(settle(t, bank, progress)).rejects.toMatchObject({ code: 'APP_OFFLINE' });
    expect(progress).toEqual([]);
    expect(bank.posts).toBe(0);
    expect(await t.db.snapshot()).toEqual(before);
    expect(await pendingBatches(t.db)).toEqual([]);
  });

  it('applies a result once: the same answer again changes nothing', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['1.00', '2.00']);
    const { from, records } = await unsettled(t.db, t.till);
    const answer = bank.settle(buildBatches(t.till, from, records)[0]!.sealed);
    const result = verifyAnswer(answer, t.till);
    expect((await applySettlement(t.db, t.till, result))?.head.nextIndex).toBe(2);
    const before = await t.db.snapshot();
    await expect(applySettlement(t.db, t.till, result)).resolves.toBeUndefined();
    expect(await t.db.snapshot()).toEqual(before);
  });

  it('changes nothing when the answer is not signed by a pinned bank key', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['1.00']);
    bank.tamper = (answer) => {
      const real = decodeSettlementResult(answer.signed);
      const forged = signSettlementResult(real, generateSecretKey());
      return { ...answer, signed: encodeSettlementResult(forged) };
    };
    await expect(settle(t, bank)).rejects.toMatchObject({ code: 'PROTO_UNKNOWN_ISSUER' });
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(0);
    expect((await ledgerRows(t.db, t.till))[0]!.status).toBe('accepted');
  });
});

describe('exporting the batch as a file', () => {
  it('gives a settlement-batch file anyone can post, and Settle now then learns its outcome', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['2.50', '1.00']);
    const [file, ...more] = await exportBatches(t.db, t.till, NOW_MS);
    expect(more).toEqual([]);
    expect(file!.fileName).toBe('offpay-batch-2027-01-15.json');
    const decoded = decodeFile(file!.text, 'settlement-batch');
    expect(decoded.readable).toMatchObject({
      entries: 2,
      payee: "Bob's Market",
      total: '3.50 EUR',
    });
    expect((await pendingBatches(t.db)).map((p) => p.batchKey)).toEqual([file!.batchKey]);

    bank.settle(decoded.data); // someone carried the file to the bank
    expect(bank.settledIds.size).toBe(2);
    await settle(t, bank);
    expect(bank.settledIds.size).toBe(2);
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(2);
    expect((await ledgerRows(t.db, t.till)).map((r) => r.status)).toEqual(['settled', 'settled']);
    expect(await pendingBatches(t.db)).toEqual([]);
  });

  it('exports the same batch key again for the same entries, so the bank settles them once', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    await pay(t, new TestPayer(t.bank), ['2.50']);
    const [a] = await exportBatches(t.db, t.till, NOW_MS);
    const [b] = await exportBatches(t.db, t.till, NOW_MS);
    expect(b!.batchKey).toBe(a!.batchKey);
    const first = bank.settle(decodeFile(a!.text).data);
    const second = bank.settle(decodeFile(b!.text).data);
    expect(second.replayed).toBe(true);
    expect(second.results).toEqual(first.results);
    expect(await pendingBatches(t.db)).toHaveLength(1);
  });

  it('learns which exported file reached the bank, then settles the payments taken since', async () => {
    const t = await makeTill();
    const bank = new FakeBank(t);
    const payer = new TestPayer(t.bank);
    await pay(t, payer, ['1.00', '2.00']);
    const [small] = await exportBatches(t.db, t.till, NOW_MS);
    await pay(t, payer, ['3.00']);
    const [large] = await exportBatches(t.db, t.till, NOW_MS);
    expect(large!.entries).toBe(3);
    bank.settle(decodeFile(large!.text).data); // the newer file reached the bank
    await settle(t, bank);
    expect(bank.settledIds.size).toBe(3);
    expect((await settledHead(t.db, t.till)).nextIndex).toBe(3);
    expect(await pendingBatches(t.db)).toEqual([]);

    await pay(t, payer, ['4.00']);
    expect(small!.batchKey).not.toBe(large!.batchKey);
    await settle(t, bank);
    expect(bank.head.nextIndex).toBe(4);
    expect((await ledgerRows(t.db, t.till)).every((r) => r.status === 'settled')).toBe(true);
  });

  it('splits a ledger longer than one batch into batches that follow each other', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank, { limit: 100_000 });
    const r = await request(t, '0.01');
    let head = await settledHead(t.db, t.till);
    const ops = [];
    for (let i = 0; i <= LIMITS.batchEntries; i++) {
      const payment = payer.pay(r);
      const { entry, head: next } = appendToLedger(head, payment, encodePayment(payment));
      const record: LedgerRecord = {
        ...entry,
        amount: 1,
        currency: 'EUR',
        payerSerial: payment.serial,
        counter: payment.counter,
        spent: payment.spent,
        prev: payment.prev,
        memo: '',
        acceptedAt: 0,
        status: 'accepted',
        receipt: new Uint8Array(1),
      };
      ops.push({ put: 'ledger' as const, value: record });
      head = next;
    }
    await t.db.write([...ops, { put: 'meta', key: META.ledgerHead, value: head }]);
    const { from, records } = await unsettled(t.db, t.till);
    const built = buildBatches(t.till, from, records);
    expect(built.map((b) => [b.batch.fromIndex, b.records.length])).toEqual([
      [0, LIMITS.batchEntries],
      [LIMITS.batchEntries, 1],
    ]);
    expect(built[1]!.batch.prevHead).toEqual(built[0]!.batch.head);
    expect(built[1]!.batch.head).toEqual(head.head);
  });
});

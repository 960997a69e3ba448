/**
 * The ledger store's indexes as accepting a payment uses them: the entry, the head and the paid
 * request in one write (all or nothing); the duplicate check by the unique `paymentId` index;
 * fraud detection and the limit per customer by the `payer` index; a damaged row read as a broken
 * ledger; and a payment that never reads the whole ledger, however long it is.
 */
import { fromBase64Url, randomBytes, toHex } from '@offpay/crypto';
import { verifyFraudProof, type Payment, type PaymentRequest } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { META, type TillDb } from '../src/db.js';
import { readLedger } from '../src/state/ledger.js';
import {
  accept,
  makeTill,
  payRequest,
  request,
  sealFor,
  TestPayer,
  watchDb,
  type TestTill,
  type Watched,
  type WriteHook,
} from './helpers.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'accepted';
}

/** The till `t` on a watched database (`write` replaced when given). */
function watched(t: TestTill, write?: WriteHook): { till: TestTill; w: Watched } {
  const w = watchDb(t.db, write);
  return { till: { ...t, db: w.db }, w };
}

/** A payment of `payer` for a new request of `amount`, sealed: what the till scans. */
async function scanned(t: TestTill, payer: TestPayer, amount: string) {
  const r = await request(t, amount);
  const payment = payer.pay(r);
  return { r, payment, sealed: sealFor(t, payment) };
}

/** The earlier payment a kept fraud proof names beside the payer's new one. */
async function provenAgainst(t: TestTill, fresh: Payment): Promise<string> {
  const [stored] = await t.db.all('fraud');
  const proof = verifyFraudProof(fromBase64Url(stored!.proof), t.bank.keys);
  const earlier =
    toHex(proof.first.paymentId) === toHex(fresh.paymentId) ? proof.second : proof.first;
  return toHex(earlier.paymentId);
}

/** A till where alice pays 2.00, bob 4.00, alice 1.50 and alice 0.25 (entries 0 to 3). */
async function busyTill() {
  const t = await makeTill();
  const alice = new TestPayer(t.bank);
  const bob = new TestPayer(t.bank);
  const paid: { payer: TestPayer; r: PaymentRequest; payment: Payment; sealed: Uint8Array }[] = [];
  for (const [payer, amount] of [
    [alice, '2.00'],
    [bob, '4.00'],
    [alice, '1.50'],
    [alice, '0.25'],
  ] as const) {
    const s = await scanned(t, payer, amount);
    await accept(t, s.r, s.sealed);
    paid.push({ payer, ...s });
  }
  return { t, alice, bob, paid };
}

describe('accepting a payment', () => {
  it('reads, checks and writes the entry, the head and the paid request in one transaction; the indexes follow', async () => {
    const t = await makeTill();
    const alice = new TestPayer(t.bank);
    const bob = new TestPayer(t.bank);
    await payRequest(t, alice, '2.50');
    const writes: Parameters<TillDb['write']>[0][] = [];
    const { till, w } = watched(t, (ops, next) => (writes.push(ops), next(ops)));
    const b1 = await payRequest(till, bob, '1.00');
    const a2 = await payRequest(till, alice, '0.75');
    const entryWrites = writes.filter((ops) =>
      ops.some((op) => 'put' in op && op.put === 'ledger'),
    );
    expect(entryWrites).toHaveLength(2);
    // One transaction per request made and one per payment, every read of the payment inside it.
    expect(w.count('transaction')).toBe(4);
    expect(entryWrites[1]!.map((op) => ('put' in op ? op.put : ''))).toEqual([
      'ledger',
      'payers',
      'meta',
      'requests',
    ]);
    expect(
      (await t.db.byIndex('ledger', 'paymentId', b1.record.paymentId)).map((r) => r.index),
    ).toEqual([1]);
    const ofAlice = IDBKeyRange.bound([alice.cert.serial, 0], [alice.cert.serial, Infinity]);
    expect((await t.db.byIndex('ledger', 'payerCounter', ofAlice)).map((r) => r.index)).toEqual([
      0, 2,
    ]);
    expect(await t.db.get('payers', alice.cert.serial)).toMatchObject({
      payerSerial: alice.cert.serial,
      total: 325,
      entries: 2,
      maxCounter: a2.record.counter,
      atMaxCounter: 1,
      maxSpent: 325,
    });
    expect(await t.db.get('meta', META.ledgerHead)).toMatchObject({ nextIndex: 3 });
    expect(a2.record).toMatchObject({ index: 2, spent: 325, memo: '' });
  });

  it('leaves the ledger as it was when the write fails, and takes the payment once storage works', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    await payRequest(t, payer, '1.00');
    const { r, sealed } = await scanned(t, payer, '2.00');
    const before = await t.db.snapshot();
    // The browser refuses the last value of the write: the whole transaction is aborted.
    const poison = { put: 'meta' as const, key: 'poison', value: () => 0 };
    const { till } = watched(t, (ops, next) => next([...ops, poison]));
    expect(await codeOf(accept(till, r, sealed))).toBe('APP_STORAGE_FAILED');
    expect(await t.db.snapshot()).toEqual(before);
    await expect(accept(t, r, sealed)).resolves.toMatchObject({ record: { index: 1 } });
  });

  it('finds a copy of any earlier payment as a duplicate, naming its entry', async () => {
    const { t, paid } = await busyTill();
    const { till, w } = watched(t);
    const copy = paid[1]!;
    const error = await accept(till, copy.r, copy.sealed).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTO_PAYMENT_DUPLICATE', details: { index: 1 } });
    expect(w.count('all:ledger')).toBe(0);
  });

  it('catches a payer signing again a counter of one of its earlier payments (not the last)', async () => {
    const { t, alice, paid } = await busyTill();
    // A cloned wallet, as it was just after alice's first payment (entry 0).
    const { serial, counter, paymentId, spent } = paid[0]!.payment;
    alice.chain = { serial, counter, lastPaymentId: paymentId, spent };
    const { till, w } = watched(t);
    const twin = await scanned(t, alice, '3.00');
    expect(await codeOf(accept(till, twin.r, twin.sealed))).toBe('PROTO_FRAUD_EQUIVOCATION');
    // Alice's second payment here (entry 2) is the one signed with the same counter.
    expect(await provenAgainst(t, twin.payment)).toBe(toHex(paid[2]!.payment.paymentId));
    expect(w.count('all:ledger')).toBe(0);
    expect(await readLedger(t.db)).toHaveLength(4);
  });

  it('catches a payer whose new payment does not follow its last one (fork)', async () => {
    const { t, alice } = await busyTill();
    alice.chain = { ...alice.chain, lastPaymentId: randomBytes(32) };
    const forked = await scanned(t, alice, '1.00');
    expect(await codeOf(accept(t, forked.r, forked.sealed))).toBe('PROTO_FRAUD_FORK');
  });

  it('catches a payer whose new payment, past a gap of counters, names an older one as its prev', async () => {
    const { t, alice, paid } = await busyTill();
    // Counters skipped (paid elsewhere meanwhile), yet linked to alice's first payment here.
    alice.chain = {
      ...alice.chain,
      counter: alice.chain.counter + 5,
      lastPaymentId: paid[0]!.payment.paymentId,
    };
    const forked = await scanned(t, alice, '1.00');
    expect(await codeOf(accept(t, forked.r, forked.sealed))).toBe('PROTO_FRAUD_FORK');
    expect(await provenAgainst(t, forked.payment)).toBe(toHex(paid[0]!.payment.paymentId));
  });

  it('catches a payer understating what it spent, proven against its first payment here', async () => {
    const { t, alice, paid } = await busyTill();
    alice.chain = { ...alice.chain, spent: 0 };
    const under = await scanned(t, alice, '1.00');
    expect(await codeOf(accept(t, under.r, under.sealed))).toBe('PROTO_FRAUD_UNDERSTATED');
    // Every earlier payment of alice conflicts; the first in ledger order is the proof.
    expect(await provenAgainst(t, under.payment)).toBe(toHex(paid[0]!.payment.paymentId));
  });

  it('keeps each customer’s limit from the payer index', async () => {
    const { t, alice, bob } = await busyTill();
    await t.db.write([{ put: 'meta', key: META.payerCap, value: 500 }]);
    // Alice has 3.75 here, bob 4.00.
    const error = await payRequest(t, alice, '1.26').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'APP_PAYER_CAP_EXCEEDED',
      details: { capMinor: '500', totalMinor: '501' },
    });
    await expect(payRequest(t, alice, '1.25')).resolves.toMatchObject({ record: { index: 4 } });
    expect(await codeOf(payRequest(t, bob, '1.01'))).toBe('APP_PAYER_CAP_EXCEEDED');
    await expect(payRequest(t, bob, '1.00')).resolves.toMatchObject({ record: { index: 5 } });
  });

  it('reads a damaged entry of the payer as a broken ledger, and writes nothing', async () => {
    const { t, alice } = await busyTill();
    // Alice's last entry: the one her next payment follows, which the checks read.
    const entry = (await t.db.get('ledger', 3))!;
    await t.db.write([{ put: 'ledger', value: { ...entry, amount: -1 } }]);
    const before = await t.db.snapshot();
    expect(await codeOf(payRequest(t, alice, '0.10'))).toBe('PROTO_LEDGER_BROKEN');
    const after = await t.db.snapshot();
    expect(after.stores['ledger']).toEqual(before.stores['ledger']);
    expect(after.stores['meta']!.filter(([k]) => k === META.ledgerHead)).toEqual(
      before.stores['meta']!.filter(([k]) => k === META.ledgerHead),
    );
  });

  it('reads a lost payer summary as a broken ledger', async () => {
    const { t, alice } = await busyTill();
    // Alice's summary lost: her total would read 0.
    await t.db.write([{ delete: 'payers', key: alice.cert.serial }]);
    expect(await codeOf(payRequest(t, alice, '0.10'))).toBe('PROTO_LEDGER_BROKEN');
    expect(await readLedger(t.db)).toHaveLength(4);
  });

  it('takes a payment that arrives after a later one of its payer, and counts it in the total', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    // The payer's payment 0 is shown late: its payment 1 is taken first.
    const late = await scanned(t, payer, '1.00');
    const shownAgain = (await t.db.get('requests', late.r.requestId))!;
    const r = await request(t, '2.00');
    await accept(t, r, sealFor(t, payer.pay(r)));
    await t.db.write([
      { put: 'requests', value: shownAgain },
      { put: 'meta', key: META.currentRequest, value: toHex(late.r.requestId) },
    ]);
    await expect(accept(t, late.r, late.sealed)).resolves.toMatchObject({ record: { index: 1 } });
    expect(await t.db.get('payers', payer.cert.serial)).toMatchObject({ total: 300, entries: 2 });
  });

  it('reads the same rows on a long ledger as on a short one, never the whole ledger', async () => {
    const callsFor = async (earlier: number): Promise<string[]> => {
      const t = await makeTill();
      const alice = new TestPayer(t.bank);
      const bob = new TestPayer(t.bank);
      for (let i = 0; i < earlier; i++) await payRequest(t, i % 2 ? bob : alice, '0.10');
      const { r, sealed } = await scanned(t, new TestPayer(t.bank), '0.20');
      const { till, w } = watched(t);
      await expect(accept(till, r, sealed)).resolves.toMatchObject({ record: { index: earlier } });
      return w.calls;
    };
    const short = await callsFor(2);
    const long = await callsFor(16);
    expect(long).toEqual(short);
    expect(long).not.toContain('all:ledger');
    expect(long).not.toContain('snapshot');
    expect(long.filter((c) => c === 'write')).toHaveLength(1);
    expect(long.filter((c) => c === 'transaction')).toHaveLength(1);
    // Nothing is read outside that transaction.
    expect(long[0]).toBe('transaction');
  });
});

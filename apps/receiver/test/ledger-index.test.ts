/**
 * The ledger's indexes (src/state/ledger-index.ts) as accepting a payment uses them: written in
 * the entry's own write (all or nothing); the duplicate check, fraud detection and the per-payer
 * cap answered through them; built once for a ledger written before they existed; and a payment
 * that never reads the whole ledger, however long it is.
 */
import { fromBase64Url, randomBytes, toHex } from '@offpay/crypto';
import { verifyFraudProof, type Payment, type PaymentRequest } from '@offpay/protocol';
import type { AppDb, WriteOp } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { fraudProofs } from '../src/state/fraud.js';
import { checkLedger, ledgerKey, readLedger } from '../src/state/ledger.js';
import { acceptedKey, LEDGER_INDEX_VERSION, payerKey } from '../src/state/ledger-index.js';
import { KEY } from '../src/state/store.js';
import { receiptOf } from '../src/state/till.js';
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
function watched(t: TestTill, write?: AppDb['write']): { till: TestTill; w: Watched } {
  const w = watchDb(t.db, write);
  return { till: { ...t, db: w.db }, w };
}

const isIndexKey = (key: string) =>
  key.startsWith('acc:') || key.startsWith('payer:') || key === KEY.ledgerIndex;

/** The index rows stored, by key. */
async function indexRows(db: AppDb): Promise<Record<string, unknown>> {
  const { state } = await db.snapshot();
  return Object.fromEntries(state.filter(([key]) => isIndexKey(key)));
}

/** A payment of `payer` for a new request of `amount`, sealed: what the till scans. */
async function scanned(t: TestTill, payer: TestPayer, amount: string) {
  const r = await request(t, amount);
  const payment = payer.pay(r);
  return { r, payment, sealed: sealFor(t, payment) };
}

/** The earlier payment a kept fraud proof names beside the payer's new one. */
async function provenAgainst(t: TestTill, fresh: Payment): Promise<string> {
  const [stored] = await fraudProofs(t.db);
  const proof = verifyFraudProof(fromBase64Url(stored!.proof), t.bank.keys);
  const earlier =
    toHex(proof.first.paymentId) === toHex(fresh.paymentId) ? proof.second : proof.first;
  return toHex(earlier.paymentId);
}

/** A till where alice pays 2.00, bob 4.00, alice 1.50 and alice 0.25 (ledger #0 to #3). */
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

describe('the ledger indexes', () => {
  it('are written in the same write as each entry', async () => {
    const t = await makeTill();
    const alice = new TestPayer(t.bank);
    const bob = new TestPayer(t.bank);
    await payRequest(t, alice, '2.50');
    const writes: (readonly WriteOp[])[] = [];
    const { till } = watched(t, (ops) => {
      writes.push(ops);
      return t.db.write(ops);
    });
    const b1 = await payRequest(till, bob, '1.00');
    const a2 = await payRequest(till, alice, '0.75');

    const [first] = await readLedger(t.db);
    expect(await t.db.get(acceptedKey(toHex(first!.paymentId)))).toBe(0);
    expect(await t.db.get(acceptedKey(toHex(b1.record.paymentId)))).toBe(1);
    expect(await t.db.get(acceptedKey(toHex(a2.record.paymentId)))).toBe(2);
    expect(await t.db.get(payerKey(alice.cert.serial))).toMatchObject({
      indices: [0, 2],
      totalMinor: 325,
    });
    expect(await t.db.get(payerKey(bob.cert.serial))).toMatchObject({
      indices: [1],
      totalMinor: 100,
    });
    expect(await t.db.get(KEY.ledgerIndex)).toEqual({
      version: LEDGER_INDEX_VERSION,
      nextIndex: 3,
    });
    // One write per payment, holding the entry and its index rows together.
    const entryWrites = writes.filter((ops) =>
      ops.some((op) => 'log' in op && op.log === 'ledger'),
    );
    expect(entryWrites).toHaveLength(2);
    const indexWrites = writes.filter((ops) => ops.some((op) => 'put' in op && isIndexKey(op.put)));
    expect(indexWrites).toEqual(entryWrites);
    const keys = entryWrites[1]!.map((op) => ('put' in op ? op.put : 'log' in op ? op.key : ''));
    expect(keys).toEqual(
      expect.arrayContaining([
        ledgerKey(2),
        KEY.ledgerHead,
        acceptedKey(toHex(a2.record.paymentId)),
        payerKey(alice.cert.serial),
        KEY.ledgerIndex,
      ]),
    );
  });

  it('are left as they were, with the entry, when the write fails', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    await payRequest(t, payer, '1.00');
    const { r, sealed } = await scanned(t, payer, '2.00');
    const before = await t.db.snapshot();
    // The browser refuses the last value of the write: the whole transaction is aborted.
    const { till } = watched(t, (ops) => t.db.write([...ops, { put: 'poison', value: () => 0 }]));
    expect(await codeOf(accept(till, r, sealed))).toBe('APP_STORAGE_FAILED');
    expect(await t.db.snapshot()).toEqual(before);

    // Taken again once storage works: the indexes follow the entry.
    await expect(accept(t, r, sealed)).resolves.toMatchObject({ record: { index: 1 } });
    expect(await t.db.get(payerKey(payer.cert.serial))).toMatchObject({
      indices: [0, 1],
      totalMinor: 300,
    });
    expect(await t.db.get(KEY.ledgerIndex)).toMatchObject({ nextIndex: 2 });
  });

  it('find a copy of any earlier payment as a duplicate, naming its entry', async () => {
    const { t, paid } = await busyTill();
    const { till, w } = watched(t);
    const copy = paid[1]!;
    const error = await accept(till, copy.r, copy.sealed).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTO_PAYMENT_DUPLICATE', details: { index: 1 } });
    expect(await receiptOf(till.db, 1)).toEqual((await readLedger(t.db))[1]!.receipt);
    expect(w.count('list:ledger')).toBe(0);
    expect(w.count('snapshot')).toBe(0);
  });

  it('catch a payer signing again a counter of one of its earlier payments (not the last)', async () => {
    const { t, alice, paid } = await busyTill();
    // A cloned wallet, as it was just after alice's first payment (ledger #0).
    const { serial, counter, paymentId, spent } = paid[0]!.payment;
    alice.chain = { serial, counter, lastPaymentId: paymentId, spent };
    const { till, w } = watched(t);
    const twin = await scanned(t, alice, '3.00');
    expect(await codeOf(accept(till, twin.r, twin.sealed))).toBe('PROTO_FRAUD_EQUIVOCATION');
    // Alice's second payment here (ledger #2) is the one signed with the same counter.
    expect(await provenAgainst(t, twin.payment)).toBe(toHex(paid[2]!.payment.paymentId));
    expect(w.count('list:ledger')).toBe(0);
    expect(await readLedger(t.db)).toHaveLength(4);
  });

  it('catch a payer whose new payment does not follow its last one (fork)', async () => {
    const { t, alice } = await busyTill();
    alice.chain = { ...alice.chain, lastPaymentId: randomBytes(32) };
    const { till, w } = watched(t);
    const forked = await scanned(t, alice, '1.00');
    expect(await codeOf(accept(till, forked.r, forked.sealed))).toBe('PROTO_FRAUD_FORK');
    expect(w.count('list:ledger')).toBe(0);
  });

  it('catch a payer understating what it spent, proven against its first payment here', async () => {
    const { t, alice, paid } = await busyTill();
    alice.chain = { ...alice.chain, spent: 0 };
    const { till, w } = watched(t);
    const under = await scanned(t, alice, '1.00');
    expect(await codeOf(accept(till, under.r, under.sealed))).toBe('PROTO_FRAUD_UNDERSTATED');
    // Every earlier payment of alice conflicts; the first in ledger order is the proof, as before.
    expect(await provenAgainst(t, under.payment)).toBe(toHex(paid[0]!.payment.paymentId));
    expect(w.count('list:ledger')).toBe(0);
  });

  it("keep each payer's cap from its total", async () => {
    const { t, alice, bob } = await busyTill();
    await t.db.write([{ put: KEY.payerCap, value: 500 }]);
    const { till, w } = watched(t);
    // Alice has 3.75 here, bob 4.00.
    const error = await payRequest(till, alice, '1.26').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'APP_PAYER_CAP_EXCEEDED',
      details: { capMinor: '500', totalMinor: '501' },
    });
    await expect(payRequest(till, alice, '1.25')).resolves.toMatchObject({ record: { index: 4 } });
    expect(await codeOf(payRequest(till, bob, '1.01'))).toBe('APP_PAYER_CAP_EXCEEDED');
    await expect(payRequest(till, bob, '1.00')).resolves.toMatchObject({ record: { index: 5 } });
    expect(await codeOf(payRequest(till, alice, '0.01'))).toBe('APP_PAYER_CAP_EXCEEDED');
    expect(w.count('list:ledger')).toBe(0);
  });

  it('read as a broken ledger when a row is damaged, and nothing is written', async () => {
    const { t, alice, paid } = await busyTill();
    const idHex = toHex(paid[2]!.payment.paymentId);
    const serial = alice.cert.serial;
    const good = await t.db.get<{ indices: number[]; totalMinor: number; links: Uint8Array }>(
      payerKey(serial),
    );
    const damaged: [string, unknown][] = [
      [acceptedKey(idHex), 'two'],
      [acceptedKey(idHex), 1], // names bob's entry
      [acceptedKey(idHex), 99], // past the head
      [payerKey(serial), null],
      [payerKey(serial), { ...good, indices: 'all' }],
      [payerKey(serial), { ...good, indices: [0, 2, 3, 9] }],
      [payerKey(serial), { ...good, indices: [2, 0, 3] }],
      [payerKey(serial), { ...good, totalMinor: 1 }],
      [payerKey(serial), { ...good, links: good!.links.subarray(1) }],
      [payerKey(serial), { ...good, links: new Uint8Array(good!.links.length).fill(0xff) }],
    ];
    for (const [key, value] of damaged) {
      const restore = await t.db.get(key);
      await t.db.write([{ put: key, value }]);
      const before = await t.db.snapshot();
      // The copy of alice's second payment, then a new payment of hers.
      const copy = paid[2]!;
      expect(await codeOf(accept(t, copy.r, copy.sealed)), key).toBe('PROTO_LEDGER_BROKEN');
      if (key.startsWith('payer:')) {
        expect(await codeOf(payRequest(t, alice, '0.10')), key).toBe('PROTO_LEDGER_BROKEN');
      }
      expect(await t.db.list('ledger')).toEqual(before.logs.ledger.map(([, value]) => value));
      expect(await indexRows(t.db)).toEqual(
        Object.fromEntries(before.state.filter(([k]) => isIndexKey(k))),
      );
      await t.db.write([{ put: key, value: restore }]);
    }
    await expect(payRequest(t, alice, '0.10')).resolves.toMatchObject({ record: { index: 4 } });
  });

  it('are built once, from the whole ledger, for a ledger written before they existed', async () => {
    const { t, alice, paid } = await busyTill();
    const written = await indexRows(t.db);
    // The database of an older app (or an older backup restored): the same ledger, no indexes.
    const old = await t.db.snapshot();
    old.state = old.state.filter(([key]) => !isIndexKey(key));
    await t.db.replaceAll(old);
    expect(await indexRows(t.db)).toEqual({});

    const { till, w } = watched(t);
    const copy = paid[3]!;
    const error = await accept(till, copy.r, copy.sealed).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PROTO_PAYMENT_DUPLICATE', details: { index: 3 } });
    expect(w.count('snapshot')).toBe(1);
    expect(await indexRows(t.db)).toEqual(written);

    // From then on the indexes are kept with each entry: no second build.
    await expect(payRequest(till, alice, '0.50')).resolves.toMatchObject({ record: { index: 4 } });
    alice.chain = { ...alice.chain, spent: 0 };
    expect(await codeOf(payRequest(till, alice, '0.50'))).toBe('PROTO_FRAUD_UNDERSTATED');
    expect(w.count('snapshot')).toBe(1);
    expect(w.count('list:ledger')).toBe(0);
    await expect(checkLedger(t.db, t.till)).resolves.toHaveLength(5);
  });

  it('are built again when an older app (in another tab) appended entries without them', async () => {
    const t = await makeTill();
    const payer = new TestPayer(t.bank);
    await payRequest(t, payer, '1.00');
    const atOne = await indexRows(t.db);
    const third = await scanned(t, payer, '2.00');
    await accept(t, third.r, third.sealed);
    const atTwo = await indexRows(t.db);
    // As if the second entry had been written by the older app: its index rows are missing.
    await t.db.write([
      { delete: acceptedKey(toHex(third.payment.paymentId)) },
      ...Object.entries(atOne).map(([key, value]): WriteOp => ({ put: key, value })),
    ]);

    expect(await codeOf(accept(t, third.r, third.sealed))).toBe('PROTO_PAYMENT_DUPLICATE');
    expect(await indexRows(t.db)).toEqual(atTwo);
  });

  it('leave a broken ledger broken: no index is built from it', async () => {
    const { t, alice } = await busyTill();
    const old = await t.db.snapshot();
    old.state = old.state.filter(([key]) => !isIndexKey(key));
    await t.db.replaceAll(old);
    await t.db.write([{ log: 'ledger', key: ledgerKey(1), value: { index: 'one' } }]);
    expect(await codeOf(payRequest(t, alice, '0.10'))).toBe('PROTO_LEDGER_BROKEN');
    expect(await indexRows(t.db)).toEqual({});
  });
});

describe('accepting a payment', () => {
  it('reads the same rows on a long ledger as on a short one, never the whole ledger', async () => {
    const callsFor = async (earlier: number): Promise<string[]> => {
      const t = await makeTill();
      const alice = new TestPayer(t.bank);
      const bob = new TestPayer(t.bank);
      for (let i = 0; i < earlier; i++) await payRequest(t, i % 2 ? bob : alice, '0.10');
      const { r, sealed } = await scanned(t, alice, '0.20');
      const { till, w } = watched(t);
      await expect(accept(till, r, sealed)).resolves.toMatchObject({ record: { index: earlier } });
      return w.calls;
    };
    const short = await callsFor(2);
    const long = await callsFor(16);
    expect(long).toEqual(short);
    expect(long).not.toContain('list:ledger');
    expect(long).not.toContain('snapshot');
    expect(long.filter((c) => c === 'record:ledger')).toHaveLength(2);
    expect(long.filter((c) => c === 'write')).toHaveLength(1);
  });
});

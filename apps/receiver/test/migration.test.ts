/**
 * Today's tills keep their data: a database of the version-1 layout, written by the till code of
 * commit 1611f1e (fixtures/v1.json, made by its test/fixtures/make-v1.ts: six entries, three of
 * them settled, an exported batch, requests open, paid and closed, a fraud proof, a limit per
 * customer, a revocation list), opens under the version-2 schema with every record where it now
 * belongs — and the till goes on: its ledger checks out, a payment continues it, the exported
 * batch settles the rest.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { equalBytes, fromHex, getPublicKey, toHex } from '@offpay/crypto';
import { bankKeySet, decodePayment } from '@offpay/protocol';
import { importBackup, lastBankTime, openAppDb, unlockVault } from '@offpay/app-kit';
import { readFixture, writeV1Database, type V1Dump } from '@offpay/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { META, tillSchema, type TillDb } from '../src/db.js';
import { checkLedger, ledgerRows, ledgerSummary } from '../src/state/ledger.js';
import { currentRequest } from '../src/state/requests.js';
import { settleNow } from '../src/state/settle.js';
import { loadTill, payerCap, revocationCheck } from '../src/state/till.js';
import { FakeBank } from './fake-bank.js';
import {
  NOW_MS,
  TestPayer,
  accept,
  freshDb,
  request,
  sealFor,
  type TestBank,
  type TestTill,
} from './helpers.js';

interface Fixture {
  passphrase: string;
  world: {
    bankSignSk: string;
    bankKemSk: string;
    payers: { ann: number; ben: number; cid: number };
    exported: string[];
  };
  db: V1Dump;
  backup: string;
}

const fixture = readFixture<Fixture>(
  readFileSync(new URL('./fixtures/v1.json', import.meta.url), 'utf8'),
);
const old = new Map(fixture.db.state);
const oldLog = (prefix: string) =>
  fixture.db.logs
    .filter((r) => r.key.startsWith(prefix))
    .map((r) => r.value as Record<string, unknown>);
const oldLedger = fixture.db.logs
  .filter((r) => r.log === 'ledger')
  .map((r) => r.value as Record<string, unknown>);
const signSk = fromHex(fixture.world.bankSignSk);
const kemSk = fromHex(fixture.world.bankKemSk);
const bank: TestBank = {
  signSk,
  signPk: getPublicKey(signSk),
  kemSk,
  kemPk: getPublicKey(kemSk),
  keys: bankKeySet([getPublicKey(signSk)]),
};
const without = (r: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));

let open: TillDb | undefined;

/** The fixture written as the old till left it, then opened (and unlocked) by today's till. */
async function migrated(): Promise<TestTill> {
  open?.close();
  await writeV1Database(fixture.db);
  open = await openAppDb(tillSchema, fixture.db.name);
  const vault = await unlockVault(open, fixture.passphrase);
  const till = await loadTill(open, vault);
  if (!till) throw new Error('the migrated till did not load');
  return { db: open, vault, till, bank };
}

describe('a version-1 till database', () => {
  it('keeps every entry, gaining the fields its payment held and its request’s memo', async () => {
    const { db } = await migrated();
    const entries = await db.all('ledger');
    expect(entries).toHaveLength(oldLedger.length);
    const paid = oldLog('request:').filter((r) => r['status'] === 'paid');
    for (const [i, before] of oldLedger.entries()) {
      const after = entries[i]!;
      const payment = decodePayment(before['payment'] as Uint8Array);
      const memo = paid.find((r) => r['paidIndex'] === before['index'])?.['memo'] ?? '';
      expect(after).toEqual({ ...before, spent: payment.spent, prev: payment.prev, memo });
    }
    expect(entries[0]!.memo).toBe('Coffee');
    const second = entries[1]!;
    expect((await db.byIndex('ledger', 'paymentId', second.paymentId)).map((e) => e.index)).toEqual(
      [1],
    );
    const annSerial = fixture.world.payers.ann;
    const ofAnn = IDBKeyRange.bound([annSerial, 0], [annSerial, Infinity]);
    const ann = await db.byIndex('ledger', 'payerCounter', ofAnn);
    expect(ann.map((e) => e.index)).toEqual([0, 2, 4]);
    // Her summary, made from her entries in the upgrade.
    const total = ann.reduce((sum, e) => sum + e.amount, 0);
    expect(await db.get('payers', annSerial)).toMatchObject({
      payerSerial: annSerial,
      total,
      entries: 3,
    });
  });

  it('keeps every request, outcome, fraud proof and waiting batch in its store', async () => {
    const { db } = await migrated();
    const requests = await db.all('requests');
    expect(requests).toHaveLength(oldLog('request:').length);
    for (const r of oldLog('request:')) {
      expect(await db.get('requests', r['requestId'] as Uint8Array)).toEqual(without(r, 'kind'));
    }
    const current = old.get('currentRequest') as { requestId: Uint8Array };
    expect(toHex((await currentRequest(db))!.requestId)).toBe(toHex(current.requestId));
    expect(await db.all('outcomes')).toEqual(oldLog('outcome:').map((r) => without(r, 'kind')));
    const [proof] = await db.all('fraud');
    expect(proof).toEqual({ ...without(oldLog('fraud:')[0]!, 'kind'), id: proof!.id });
    expect(`fraud:${proof!.id}`).toBe(fixture.db.logs.find((r) => r.key.startsWith('fraud:'))!.key);
    expect(await db.all('batches')).toEqual(old.get('pendingBatches'));
  });

  it('keeps every setting and the trust rows; drops only the hand-kept indexes', async () => {
    const { db, till } = await migrated();
    for (const key of [
      'bankUrl',
      'bankKeys',
      'revocations',
      'lastBankTime',
      'vault',
      'certificate',
    ]) {
      expect(await db.get('meta', key)).toEqual(old.get(key));
    }
    for (const key of [META.ledgerHead, META.settledHead, META.payerCap, META.localRevoked]) {
      expect(await db.get('meta', key)).toEqual(old.get(key));
    }
    expect(await payerCap(db)).toBe(40_00);
    expect(await lastBankTime(db)).toBe(old.get('lastBankTime'));
    const revoked = await revocationCheck(db, till);
    expect([4242, fixture.world.payers.cid].map(revoked)).toEqual([true, true]);
    const metaKeys = (await db.snapshot()).stores['meta']!.map(([k]) => k as string);
    const dropped = [...old.keys()].filter((k) => !metaKeys.includes(k));
    expect(dropped.sort()).toEqual(
      [...old.keys()]
        .filter((k) => /^(acc:|payer:|ledgerIndex$|pendingBatches$|vault$)/.test(k))
        .sort(),
    );
  });

  it('goes on: the ledger checks out, a payment continues it, and settling takes the rest', async () => {
    const t = await migrated();
    expect(await checkLedger(t.db, t.till)).toHaveLength(6);
    // The fixture's last bank time is 30 s after the tests' clock: the device is later still.
    const r = await request(t, '0.50');
    const accepted = await accept(t, r, sealFor(t, new TestPayer(bank).pay(r)), NOW_MS + 60_000);
    expect(accepted.record.index).toBe(6);
    const fake = new FakeBank(t);
    const settled = await t.db.get('meta', META.settledHead);
    fake.head = settled as typeof fake.head;
    const done = await settleNow(t.db, t.till, fake.client(), 'token', () => undefined, NOW_MS);
    expect(done.entries).toBe(4);
    // The batch exported before the upgrade went first, as the same batch (same key).
    expect(fake.stored.has(fixture.world.exported[0]!)).toBe(true);
    expect((await ledgerSummary(t.db, t.till)).unsettledCount).toBe(0);
    expect((await ledgerRows(t.db, t.till)).map((r) => r.status)).toEqual(Array(7).fill('settled'));
    expect(await t.db.all('batches')).toEqual([]);
  });

  it('restores a version-1 backup file into the new stores', async () => {
    const db = await freshDb();
    const vault = await importBackup(
      db,
      fixture.backup,
      fixture.passphrase,
      'receiver',
      undefined,
      {
        iterations: 1000,
      },
    );
    const till = (await loadTill(db, vault))!;
    expect(await checkLedger(db, till)).toHaveLength(6);
    expect(await db.all('batches')).toHaveLength(1);
    expect(
      equalBytes((await db.get('ledger', 0))!.paymentId, oldLedger[0]!['paymentId'] as Uint8Array),
    ).toBe(true);
  });
});

/**
 * Version 2 → 3 of the till's database: a till that took payments under version 2 (no payer
 * summaries; one `payer` index) opens under version 3 with each payer's summary built from its
 * entries in the upgrade transaction, so the limit per customer and fraud detection still see
 * every earlier payment; a backup of the version-2 layout restores the same way, and a backup
 * never carries summaries of its own.
 */
import 'fake-indexeddb/auto';
import { fromBase64Url, toHex } from '@offpay/crypto';
import { verifyFraudProof } from '@offpay/protocol';
import {
  defineSchema,
  exportBackup,
  importBackup,
  openAppDb,
  unlockVault,
  VAULT_KEY,
  type Snapshot,
} from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { META, tillSchema, type TillDb } from '../src/db.js';
import { checkLedger } from '../src/state/ledger.js';
import { loadTill } from '../src/state/till.js';
import {
  accept,
  freshDb,
  makeTill,
  payRequest,
  request,
  sealFor,
  TestPayer,
  type TestTill,
} from './helpers.js';

/** The till's schema as version 2 had it. */
const v2Stores = Object.fromEntries(
  Object.entries(tillSchema.stores).filter(([name]) => name !== 'payers'),
) as Omit<typeof tillSchema.stores, 'payers'>;
const v2Schema = defineSchema({
  name: tillSchema.name,
  version: 2,
  stores: {
    ...v2Stores,
    ledger: {
      ...v2Stores.ledger,
      indexes: {
        paymentId: { keyPath: 'paymentId', unique: true },
        payer: { keyPath: 'payerSerial' },
      },
    },
  },
  fromV1: (old) => tillSchema.fromV1(old),
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'accepted';
}

function deleted(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error('not deleted'));
  });
}

/**
 * A till where alice pays 2.00, bob 4.00 and alice 1.50, its rows then written into a database
 * of the version-2 layout of the same name, as the version-2 app left them.
 */
async function v2Till() {
  const t = await makeTill();
  const alice = new TestPayer(t.bank);
  const bob = new TestPayer(t.bank);
  const firstOfAlice = alice.chain;
  for (const [payer, amount] of [
    [alice, '2.00'],
    [bob, '4.00'],
    [alice, '1.50'],
  ] as const) {
    await payRequest(t, payer, amount);
  }
  // The same database name: the vault record is bound to it.
  const [rows, vault] = await Promise.all([t.db.snapshot(), t.db.get('meta', VAULT_KEY)]);
  t.db.close();
  await deleted(t.db.name);
  const old = await openAppDb(v2Schema, t.db.name);
  await old.replaceAll(rows, [{ put: 'meta', key: VAULT_KEY, value: vault }]);
  return { t, old, alice, bob, firstOfAlice };
}

/** The till on `db`, unlocked with the tests' passphrase. */
async function tillOn(db: TillDb, t: TestTill): Promise<TestTill> {
  const vault = await unlockVault(db, 'till passphrase');
  const till = await loadTill(db, vault);
  if (!till) throw new Error('the till did not load');
  return { db, vault, till, bank: t.bank };
}

const summaries = (alice: TestPayer, bob: TestPayer) => [
  { payerSerial: alice.cert.serial, total: 350, entries: 2 },
  { payerSerial: bob.cert.serial, total: 400, entries: 1 },
];

describe('a version-2 till database', () => {
  it('gains each payer’s summary from its entries, and the limit per customer counts them', async () => {
    const { t, old, alice, bob } = await v2Till();
    const name = old.name;
    expect(await old.all('ledger')).toHaveLength(3);
    old.close();
    const db = await openAppDb(tillSchema, name);
    const sorted = (await db.all('payers')).sort((a, b) => a.payerSerial - b.payerSerial);
    expect(sorted).toMatchObject(summaries(alice, bob));
    const till = await tillOn(db, t);
    expect(await checkLedger(db, till.till)).toHaveLength(3);
    await db.write([{ put: 'meta', key: META.payerCap, value: 500 }]);
    // Alice has 3.50 here: 1.51 more is over the limit, 1.50 is not.
    expect(await codeOf(payRequest(till, alice, '1.51'))).toBe('APP_PAYER_CAP_EXCEEDED');
    await expect(payRequest(till, alice, '1.50')).resolves.toMatchObject({
      record: { index: 3 },
    });
    expect(await db.get('payers', alice.cert.serial)).toMatchObject({
      payerSerial: alice.cert.serial,
      total: 500,
      entries: 3,
    });
  });

  it('still catches a double spend against a payment taken before the upgrade', async () => {
    const { t, old, alice } = await v2Till();
    const [first, second] = [await old.get('ledger', 0), await old.get('ledger', 2)];
    old.close();
    const till = await tillOn(await openAppDb(tillSchema, old.name), t);
    // A clone of alice's wallet as it was after her first payment signs her second counter again.
    const { payerSerial: serial, counter, paymentId, spent } = first!;
    alice.chain = { serial, counter, lastPaymentId: paymentId, spent };
    const r = await request(till, '0.75');
    const twin = alice.pay(r);
    expect(twin.counter).toBe(second!.counter);
    expect(await codeOf(accept(till, r, sealFor(till, twin)))).toBe('PROTO_FRAUD_EQUIVOCATION');
    const [kept] = await till.db.all('fraud');
    const proof = verifyFraudProof(fromBase64Url(kept!.proof), t.bank.keys);
    const ids = [proof.first, proof.second].map((p) => toHex(p.paymentId)).sort();
    expect(ids).toEqual([toHex(second!.paymentId), toHex(twin.paymentId)].sort());
    expect(await till.db.count('ledger')).toBe(3);
  });

  it('restores a backup of the version-2 layout with the summaries rebuilt', async () => {
    const { t, old, alice, bob } = await v2Till();
    const text = await exportBackup(old, t.vault, 'backup passphrase', 'receiver', {
      iterations: 1000,
    });
    old.close();
    const db = await freshDb();
    await importBackup(db, text, 'backup passphrase', 'receiver', undefined, { iterations: 1000 });
    const sorted = (await db.all('payers')).sort((a, b) => a.payerSerial - b.payerSerial);
    expect(sorted).toMatchObject(summaries(alice, bob));
  });

  it('backs up without the summaries, and refuses a backup that brings its own', async () => {
    const t = await makeTill();
    await payRequest(t, new TestPayer(t.bank), '1.00');
    const snapshot = await t.db.snapshot();
    expect(Object.keys(snapshot.stores)).not.toContain('payers');
    const forged: Snapshot = {
      stores: {
        ...snapshot.stores,
        payers: [
          [
            1,
            { payerSerial: 1, total: 0, entries: 0, maxCounter: 0, atMaxCounter: 1, maxSpent: 0 },
          ],
        ],
      },
    };
    const db = await freshDb();
    await expect(db.replaceAll(forged)).rejects.toThrow(/rebuilt/);
    // Restored from its own snapshot, the till's summaries are its ledger's.
    await db.replaceAll(snapshot);
    expect(await db.all('payers')).toEqual(await t.db.all('payers'));
    expect(await db.all('payers')).toHaveLength(1);
  });
});

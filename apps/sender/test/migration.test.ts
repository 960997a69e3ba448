/**
 * Today's wallets keep their data: databases of the version-1 layout, written by the wallet code
 * of commit 1611f1e (fixtures/v1.json, made by its test/fixtures/make-v1.ts), open under the
 * version-2 schema with every record where it now belongs — and the wallet goes on paying from
 * the chain it had.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { equalBytes, fromHex, getPublicKey } from '@offpay/crypto';
import { bankKeySet } from '@offpay/protocol';
import { openAppDb, unlockVault } from '@offpay/app-kit';
import { readFixture, writeV1Database, type V1Dump } from '@offpay/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { MUST_ENROLL, PAYER_KEY, walletSchema, type WalletDb } from '../src/db.js';
import { findByRequest, listHistory } from '../src/state/history.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { overview, restoreWallet, walletStatus } from '../src/state/wallet.js';
import { ITERATIONS, NOW, NOW_MS, Receiver, freshDb, type Bank } from './helpers.js';

interface Fixture {
  passphrase: string;
  world: { bankSignSk: string; payerSerial: number };
  enrolled: V1Dump;
  restored: V1Dump;
  backup: string;
}

const fixture = readFixture<Fixture>(
  readFileSync(new URL('./fixtures/v1.json', import.meta.url), 'utf8'),
);
let open: WalletDb | undefined;

/** The v1 database `dump` written as the old wallet left it, then opened by today's wallet. */
async function migrated(dump: V1Dump): Promise<{ db: WalletDb; old: Map<string, unknown> }> {
  open?.close();
  await writeV1Database(dump);
  open = await openAppDb(walletSchema, dump.name);
  return { db: open, old: new Map(dump.state) };
}

const paidLinks = (old: Map<string, unknown>) =>
  [...old].flatMap(([key, paymentId]) => {
    const m = /^paid:([0-9a-f]{16}):([0-9a-f]{32})$/.exec(key);
    return m ? [{ payeeKid: m[1]!, requestId: m[2]!, paymentId: paymentId as string }] : [];
  });

describe('a version-1 wallet database', () => {
  it('keeps every state row: the singletons in meta, the certificate and chain as one record', async () => {
    const { db, old } = await migrated(fixture.enrolled);
    for (const key of ['vault', 'bankUrl', 'bankKeys', 'revocations', 'lastBankTime']) {
      expect(await db.get('meta', key)).toEqual(old.get(key));
    }
    const chain = await db.all('chain');
    expect(chain).toEqual([
      { ...(old.get('chain') as object), certificate: old.get('certificate') },
    ]);
    const moved = (await db.snapshot()).stores;
    expect(moved['meta']!.map(([k]) => k).sort()).toEqual(
      ['bankKeys', 'bankUrl', 'lastBankTime', 'revocations'], // the vault is never in a snapshot
    );
  });

  it('keeps every payment, each knowing its payee, so a paid request stays paid', async () => {
    const { db, old } = await migrated(fixture.enrolled);
    const before = fixture.enrolled.logs.map((row) => row.value as Record<string, unknown>);
    const after = await listHistory(db);
    expect(after).toHaveLength(before.length);
    for (const item of before) {
      const { payeeKid, ...rest } = (await db.get('history', item['paymentId'] as string))!;
      expect(rest).toEqual(item);
      expect(payeeKid).toMatch(/^[0-9a-f]{16}$/);
    }
    const links = paidLinks(old);
    expect(links).toHaveLength(before.length);
    for (const link of links) {
      expect((await findByRequest(db, link.payeeKid, link.requestId))?.paymentId).toBe(
        link.paymentId,
      );
    }
  });

  it('unlocks with the same passphrase and pays on from the stored chain', async () => {
    const { db, old } = await migrated(fixture.enrolled);
    const vault = await unlockVault(db, fixture.passphrase);
    expect(await walletStatus(db)).toBe('enrolled');
    const o = await overview(db, vault, NOW);
    expect(o.cert.serial).toBe(fixture.world.payerSerial);
    expect(o.spent.toString()).toBe('8.75 EUR');
    const signSk = fromHex(fixture.world.bankSignSk);
    const pinned = old.get('bankKeys') as { kemKey: Uint8Array };
    const bank: Bank = {
      signSk,
      signPk: getPublicKey(signSk),
      kemPk: pinned.kemKey,
      keys: bankKeySet([getPublicKey(signSk)]),
    };
    const dave = new Receiver(bank, { displayName: 'Dave' });
    const p = await preparePayment(db, vault, dave.request(100), { nowMs: NOW_MS + 200_000 });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    const item = await commitPayment(db, vault, p, { nowMs: NOW_MS + 200_000 });
    const chain = old.get('chain') as { counter: number; lastPaymentId: Uint8Array };
    const made = dave.open(item.sealed);
    expect(made.counter).toBe(chain.counter + 1);
    expect(equalBytes(made.prev, chain.lastPaymentId)).toBe(true);
    expect(vault.secret(PAYER_KEY)).toBeInstanceOf(Uint8Array);
  });

  it('keeps a restored wallet restored: history kept, enrolling again first', async () => {
    const { db } = await migrated(fixture.restored);
    expect(await db.get('meta', MUST_ENROLL)).toBe(true);
    expect(await walletStatus(db)).toBe('mustEnroll');
    expect(await db.count('chain')).toBe(0);
    expect((await listHistory(db)).map((i) => i.state).sort()).toEqual([
      'receipted',
      'sent',
      'settled',
    ]);
  });

  it('restores a version-1 backup file into the new stores, with the restore rule', async () => {
    const db = await freshDb();
    const vault = await restoreWallet(db, fixture.backup, fixture.passphrase, {
      iterations: ITERATIONS,
    });
    expect(vault.secret(PAYER_KEY)).toBeUndefined();
    expect(await walletStatus(db)).toBe('mustEnroll');
    const items = await listHistory(db);
    expect(items).toHaveLength(3);
    for (const link of paidLinks(new Map(fixture.enrolled.state))) {
      expect((await findByRequest(db, link.payeeKid, link.requestId))?.paymentId).toBe(
        link.paymentId,
      );
    }
  });
});

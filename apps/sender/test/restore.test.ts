import { equalBytes } from '@offpay/crypto';
import { exportBackup, type BackupContents } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { completeEnrollment, enrollmentKey } from '../src/state/enroll.js';
import { listHistory } from '../src/state/history.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { MUST_ENROLL, PAYER_KEY } from '../src/db.js';
import { restoreTransform, restoreWallet, storedChain, walletStatus } from '../src/state/wallet.js';
import {
  ITERATIONS,
  NOW_MS,
  PASSPHRASE,
  Receiver,
  enrollLocally,
  enrolledWallet,
  freshDb,
  issuePayer,
  makeBank,
} from './helpers.js';

const bank = makeBank();
const bob = new Receiver(bank);
const at = { nowMs: NOW_MS };

/** A wallet that paid once, backed up, and restored into a new database. */
async function restored() {
  const { db, vault, cert } = await enrolledWallet(bank);
  const paidRequest = bob.request(250);
  const p = await preparePayment(db, vault, paidRequest, at);
  if (p.kind !== 'new') throw new Error('expected a new payment');
  await commitPayment(db, vault, p, at);
  const text = await exportBackup(db, vault, PASSPHRASE, 'sender', { iterations: ITERATIONS });
  const target = await freshDb();
  const restoredVault = await restoreWallet(target, text, PASSPHRASE, { iterations: ITERATIONS });
  return { old: { db, vault, cert }, db: target, vault: restoredVault, paidRequest };
}

describe('restore', () => {
  it('keeps the history but not the payer key, certificate or chain', async () => {
    const { db, vault } = await restored();
    expect(await walletStatus(db)).toBe('mustEnroll');
    expect(vault.secret(PAYER_KEY)).toBeUndefined();
    expect(await db.count('chain')).toBe(0);
    expect(await db.get('meta', 'bankKeys')).toBeUndefined();
    expect(await db.get('meta', 'bankUrl')).toBe('http://127.0.0.1:8787');
    expect((await listHistory(db)).map((i) => i.amount)).toEqual([250]);
  });

  it('refuses to pay before enrolling again', async () => {
    const { old, db, vault } = await restored();
    const request = bob.request(100);
    await expect(preparePayment(db, vault, request, at)).rejects.toMatchObject({
      code: 'APP_MUST_ENROLL_AGAIN',
    });
    // Even a payment prepared before the restore cannot be signed under the old chain.
    const before = await preparePayment(old.db, old.vault, bob.request(100), at);
    if (before.kind !== 'new') throw new Error('expected a new payment');
    await expect(commitPayment(db, vault, before, at)).rejects.toMatchObject({
      code: 'APP_MUST_ENROLL_AGAIN',
    });
    expect(await listHistory(db)).toHaveLength(1);
  });

  it('enrolls a new key: the new certificate has another signKey, and paying starts a new chain', async () => {
    const { old, db, vault, paidRequest } = await restored();
    const key = await enrollmentKey(db, vault);
    expect(equalBytes(key, old.vault.secret(PAYER_KEY)!)).toBe(false);
    const cert = await enrollLocally(db, vault, bank);
    expect(equalBytes(cert.signKey, old.cert.signKey)).toBe(false);
    expect(await walletStatus(db)).toBe('enrolled');
    const p = await preparePayment(db, vault, bob.request(100), at);
    if (p.kind !== 'new') throw new Error('expected a new payment');
    const item = await commitPayment(db, vault, p, at);
    expect(item).toMatchObject({ serial: cert.serial, counter: 1 });
    expect(await listHistory(db)).toHaveLength(2);
    // A request paid before the backup is still known as paid.
    expect(await preparePayment(db, vault, paidRequest, at)).toMatchObject({ kind: 'paid' });
  });

  it('refuses the old certificate re-issued for the old key after a restore', async () => {
    const { old, db, vault } = await restored();
    const secretKey = await enrollmentKey(db, vault);
    const oldKeyCert = issuePayer(bank, old.vault.secret(PAYER_KEY)!);
    await expect(
      completeEnrollment(db, vault, {
        secretKey,
        certificate: oldKeyCert.bytes,
        pinned: { signKeys: [bank.signPk], kemKey: bank.kemPk },
      }),
    ).rejects.toMatchObject({ code: 'APP_BANK_RESPONSE' });
    expect(await walletStatus(db)).toBe('mustEnroll');
    expect(await storedChain(db)).toBeUndefined();
  });

  it('refuses a wrong backup passphrase', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const text = await exportBackup(db, vault, PASSPHRASE, 'sender', { iterations: ITERATIONS });
    await expect(
      restoreWallet(await freshDb(), text, 'not the passphrase', { iterations: ITERATIONS }),
    ).rejects.toMatchObject({ code: 'APP_WRONG_PASSPHRASE' });
  });

  it('the transform drops the payer key and everything tied to the old certificate', () => {
    const contents: BackupContents = {
      secrets: { [PAYER_KEY]: new Uint8Array(32).fill(7) },
      db: {
        stores: {
          meta: [
            ['bankUrl', 'https://bank.example'],
            ['bankKeys', {}],
            ['revocations', {}],
            ['lastBankTime', 1],
          ],
          chain: [[4, { serial: 4, counter: 4 }]],
          history: [['ab', { amount: 1 }]],
        },
      },
    };
    const out = restoreTransform(contents);
    expect(out.secrets).toEqual({});
    expect(Object.fromEntries(out.db.stores['meta']!)).toEqual({
      bankUrl: 'https://bank.example',
      lastBankTime: 1,
      [MUST_ENROLL]: true,
    });
    expect(out.db.stores['chain']).toEqual([]);
    expect(out.db.stores['history']).toEqual([['ab', { amount: 1 }]]);
  });
});

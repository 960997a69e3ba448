import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import { encodeKeyAnnouncement, signKeyAnnouncement } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { FOLLOWED_KEY, followBankKeys, heldKeys } from '../src/bank-keys.js';
import type { BankKeysInfo } from '../src/bank.js';
import { startEnrollment } from '../src/enroll.js';
import { pinnedKeys, TRUST_KEYS } from '../src/trust.js';
import { freshDb } from './support/schema.js';

const T0 = 1_800_000_000;

/** A bank that rotates like apps/bank: each announcement signed by the signing key before it. */
class FakeBank {
  signSks = [generateSecretKey()];
  kemPks = [getPublicKey(generateSecretKey())];
  announcements: Uint8Array[] = [];
  validFrom = T0;

  get signPks(): Uint8Array[] {
    return this.signSks.map((sk) => getPublicKey(sk));
  }

  rotate(kind: 'sign' | 'kem'): void {
    const announcing = this.signSks.at(-1)!;
    if (kind === 'sign') this.signSks.push(generateSecretKey());
    else this.kemPks.push(getPublicKey(generateSecretKey()));
    this.validFrom += 60;
    const a = signKeyAnnouncement(
      { signKey: this.signPks.at(-1)!, kemKey: this.kemPks.at(-1)!, validFrom: this.validFrom },
      announcing,
    );
    this.announcements.push(encodeKeyAnnouncement(a));
  }

  info(): BankKeysInfo {
    return {
      signKeys: this.signPks,
      signKey: this.signPks.at(-1)!,
      kemKey: this.kemPks.at(-1)!,
      announcements: [...this.announcements],
    };
  }

  client(info: BankKeysInfo = this.info()) {
    return { keys: () => Promise.resolve(info) };
  }
}

/** A device enrolled with `bank` as it is now (its first enrollment pins what the bank lists). */
async function enrolledDevice(bank: FakeBank) {
  const db = await freshDb();
  const start = await startEnrollment(
    { ...bank.client(), login: () => Promise.resolve('token') },
    { email: 'a@example.com', password: 'pw' },
    db,
  );
  await db.write(start.pin);
  return db;
}

describe('following the bank’s key announcements (docs/protocol.md §12)', () => {
  it('follows a signing-key and a KEM rotation to the current keys, and stores them', async () => {
    const bank = new FakeBank();
    const db = await enrolledDevice(bank);
    bank.rotate('sign');
    bank.rotate('kem');
    const followed = await followBankKeys(db, bank.client());
    expect(followed?.changed).toBe(true);
    const pinned = await pinnedKeys(db);
    expect(pinned?.kemKey).toEqual(bank.kemPks[1]);
    expect(pinned?.signKeys).toEqual(bank.signPks);
    expect((await heldKeys(db))?.followed).toEqual({
      signKey: bank.signPks[1],
      validFrom: bank.validFrom,
    });
    // The same answer again changes nothing.
    expect((await followBankKeys(db, bank.client()))?.changed).toBe(false);
  });

  it('catches up on several rotations in one walk', async () => {
    const bank = new FakeBank();
    const db = await enrolledDevice(bank);
    for (const kind of ['sign', 'kem', 'sign', 'sign', 'kem'] as const) bank.rotate(kind);
    await followBankKeys(db, bank.client());
    expect(await pinnedKeys(db)).toEqual({ signKeys: bank.signPks, kemKey: bank.kemPks[2] });
  });

  it('refuses a signing key no trusted key announced, and keeps the keys it had', async () => {
    const bank = new FakeBank();
    const db = await enrolledDevice(bank);
    const before = await heldKeys(db);
    const impostor = new FakeBank();
    impostor.rotate('sign');
    const info = { ...impostor.info(), signKeys: [...bank.signPks, ...impostor.signPks] };
    await expect(followBankKeys(db, bank.client(info))).rejects.toMatchObject({
      code: 'APP_BANK_KEYS_UNTRUSTED',
    });
    expect(await heldKeys(db)).toEqual(before);
  });

  it('refuses a KEM key change that no announcement signed', async () => {
    const bank = new FakeBank();
    const db = await enrolledDevice(bank);
    const info = { ...bank.info(), kemKey: getPublicKey(generateSecretKey()) };
    await expect(followBankKeys(db, bank.client(info))).rejects.toMatchObject({
      code: 'APP_BANK_KEYS_UNTRUSTED',
    });
    expect((await pinnedKeys(db))?.kemKey).toEqual(bank.kemPks[0]);
  });

  it('keeps the newer keys when an older answer is replayed (no going back to a retired KEM key)', async () => {
    const bank = new FakeBank();
    const db = await enrolledDevice(bank);
    bank.rotate('kem');
    const older = bank.info();
    bank.rotate('kem');
    await followBankKeys(db, bank.client());
    const replayed = await followBankKeys(db, bank.client(older));
    expect(replayed?.changed).toBe(false);
    expect((await pinnedKeys(db))?.kemKey).toEqual(bank.kemPks[2]);
  });

  it('enrolling again follows from the held keys instead of trusting what the bank lists', async () => {
    const bank = new FakeBank();
    const db = await enrolledDevice(bank);
    const impostor = new FakeBank();
    let logins = 0;
    const client = {
      ...bank.client({ ...impostor.info(), signKeys: [...bank.signPks, ...impostor.signPks] }),
      login: () => (logins++, Promise.resolve('token')),
    };
    const login = { email: 'a@example.com', password: 'pw' };
    await expect(startEnrollment(client, login, db)).rejects.toMatchObject({
      code: 'APP_BANK_KEYS_UNTRUSTED',
    });
    expect(logins).toBe(0);
    bank.rotate('sign');
    const start = await startEnrollment({ ...bank.client(), login: client.login }, login, db);
    expect(start.keys.signKey).toEqual(bank.signPks[1]);
    expect(start.pin.map((op) => ('key' in op ? op.key : ''))).toEqual([
      TRUST_KEYS.pinned,
      FOLLOWED_KEY,
    ]);
  });
});

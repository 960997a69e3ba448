/** The first run and the first steps of enrollment, written once for both apps. */
import { generateSecretKey, getPublicKey, randomBytes } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { BankRefusal } from '../src/errors.js';
import { FOLLOWED_KEY } from '../src/bank-keys.js';
import { startEnrollment } from '../src/enroll.js';
import { bankUrl } from '../src/rules.js';
import { setUpApp } from '../src/setup.js';
import { TRUST_KEYS } from '../src/trust.js';
import { hasVault, unlockVault } from '../src/vault.js';
import { freshDb } from './support/schema.js';

const FAST = { iterations: 1000 };
const PASS = 'correct horse battery';
const URL = 'https://bank.example';

describe('setUpApp', () => {
  it('stores the new vault and the bank address together, and zeroes the caller’s keys', async () => {
    const db = await freshDb();
    const key = generateSecretKey();
    const copy = key.slice();
    const vault = await setUpApp(db, 'offpay-test-setup', PASS, { k: key }, URL, FAST);
    expect(key).toEqual(new Uint8Array(32));
    expect(vault.secret('k')).toEqual(copy);
    expect(await bankUrl(db)).toBe(URL);
    expect((await unlockVault(db, PASS)).secret('k')).toEqual(copy);
  });

  it('never replaces a vault another tab made, and stores nothing for a short passphrase', async () => {
    const db = await freshDb();
    await setUpApp(db, 'offpay-test-setup', PASS, { k: randomBytes(32) }, URL, FAST);
    const again = setUpApp(
      db,
      'offpay-test-setup',
      'another passphrase',
      { k: randomBytes(32) },
      'https://other.example',
      FAST,
    );
    await expect(again).rejects.toMatchObject({ code: 'APP_SET_UP_ELSEWHERE' });
    expect(await bankUrl(db)).toBe(URL);
    const fresh = await freshDb();
    const key = randomBytes(32);
    await expect(
      setUpApp(fresh, 'offpay-test-setup', 'short', { k: key }, URL, FAST),
    ).rejects.toMatchObject({
      code: 'APP_PASSPHRASE_TOO_SHORT',
    });
    expect(key).toEqual(new Uint8Array(32));
    expect(await hasVault(fresh)).toBe(false);
  });
});

describe('startEnrollment', () => {
  const keys = () => {
    const signKey = getPublicKey(generateSecretKey());
    return { signKeys: [signKey], kemKey: getPublicKey(generateSecretKey()), signKey };
  };
  // Nothing held yet: the first enrollment pins what the bank lists.
  const empty = { get: () => Promise.resolve(undefined) };

  it('pins the bank’s keys and signs in with the email trimmed', async () => {
    const logins: string[] = [];
    const bankKeys = keys();
    const start = await startEnrollment(
      {
        keys: () => Promise.resolve({ ...bankKeys, announcements: [] }),
        login: (email) => (logins.push(email), Promise.resolve('token')),
      },
      { email: '  alice@example.com ', password: 'pw' },
      empty,
    );
    expect(logins).toEqual(['alice@example.com']);
    expect(start.token).toBe('token');
    const { signKeys, kemKey, signKey } = bankKeys;
    expect(start.pin).toEqual([
      { put: 'meta', key: TRUST_KEYS.pinned, value: { signKeys, kemKey } },
      { put: 'meta', key: FOLLOWED_KEY, value: { signKey, validFrom: 0 } },
    ]);
  });

  it('refuses keys it could not keep before signing in, and passes a refused login on', async () => {
    let logins = 0;
    const client = (signKeys: Uint8Array[]) => ({
      keys: () =>
        Promise.resolve({
          signKeys,
          kemKey: keys().kemKey,
          signKey: signKeys[0]!,
          announcements: [],
        }),
      login: () => {
        logins++;
        return Promise.reject(new BankRefusal('BANK_BAD_CREDENTIALS', 'wrong', 401));
      },
    });
    const login = { email: 'alice@example.com', password: 'pw' };
    const tooMany = Array.from({ length: 257 }, () => keys().kemKey);
    await expect(startEnrollment(client(tooMany), login, empty)).rejects.toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
    expect(logins).toBe(0);
    await expect(startEnrollment(client(keys().signKeys), login, empty)).rejects.toMatchObject({
      code: 'BANK_BAD_CREDENTIALS',
    });
    expect(logins).toBe(1);
  });
});

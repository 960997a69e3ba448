/**
 * Setting the till up (src/state/setup.ts) and reading its rows back (src/state/store.ts): a setup
 * or restore form left open in a stale tab never replaces a till set up since, and what
 * enrollment stores always reads back.
 */
import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import { freshDb, makeTill } from './helpers.js';
import { VAULT_KEY } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { createTill, normalizeBankUrl, restoreTill, TillExistsError } from '../src/state/setup.js';
import { bankUrl, KEY, pinnedKeys } from '../src/state/store.js';

describe('setting up from a stale tab', () => {
  it('refuses to create a till over one set up meanwhile', async () => {
    const db = await freshDb();
    await createTill(db, 'first passphrase', 'http://bank.test');
    const vault = await db.get(VAULT_KEY);
    const again = await createTill(db, 'second passphrase', 'http://other.test').catch(
      (e: unknown) => e,
    );
    expect(again).toBeInstanceOf(TillExistsError);
    expect((again as Error).message).toBe('This till was set up in another tab: reload.');
    expect(await db.get(VAULT_KEY)).toEqual(vault);
    expect(await bankUrl(db)).toBe('http://bank.test');
  });

  it('refuses to restore a backup over a till set up meanwhile', async () => {
    const t = await makeTill();
    const before = await t.db.snapshot();
    const vault = await t.db.get(VAULT_KEY);
    await expect(restoreTill(t.db, '{}', 'some passphrase')).rejects.toBeInstanceOf(
      TillExistsError,
    );
    expect(await t.db.snapshot()).toEqual(before);
    expect(await t.db.get(VAULT_KEY)).toEqual(vault);
  });
});

describe('stored rows', () => {
  it('read back every bank key enrollment may pin (up to 256)', async () => {
    const t = await makeTill();
    const keys = (n: number) => Array.from({ length: n }, () => getPublicKey(generateSecretKey()));
    const kemKey = getPublicKey(generateSecretKey());
    await t.db.write([{ put: KEY.bankKeys, value: { signKeys: keys(256), kemKey } }]);
    expect((await pinnedKeys(t.db))?.signKeys).toHaveLength(256);
    await t.db.write([{ put: KEY.bankKeys, value: { signKeys: keys(257), kemKey } }]);
    expect(await pinnedKeys(t.db)).toBeUndefined();
  });

  it('take only a bank address that reads back as it was saved', async () => {
    const db = await freshDb();
    const ok = normalizeBankUrl('https://bank.example/offpay/');
    expect(ok).toBe('https://bank.example/offpay');
    await db.write([{ put: KEY.bankUrl, value: ok }]);
    expect(await bankUrl(db)).toBe(ok);
    expect(normalizeBankUrl(`https://bank.example/${'a'.repeat(2100)}`)).toBeUndefined();
  });
});

import { randomBytes } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { VAULT_KEY } from '../src/storage/db.js';
import { freshDb } from './support/schema.js';
import { createVault, hasVault, unlockVault, vaultSecrets } from '../src/vault.js';

const FAST = { iterations: 1000 };
const PASS = 'correct horse battery';

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: unknown }).code ?? e,
  );
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('vault', () => {
  it('unlocks with the passphrase it was created with, in a new session', async () => {
    const db = await freshDb();
    const signKey = randomBytes(32);
    const kemKey = randomBytes(32);
    expect(await hasVault(db)).toBe(false);
    await createVault(db, PASS, { signKey, kemKey }, FAST);
    expect(await hasVault(db)).toBe(true);
    db.close();
    const reopened = await freshDb(db.name);
    const vault = await unlockVault(reopened, PASS);
    expect(vault.secret('signKey')).toEqual(signKey);
    expect(vault.secret('kemKey')).toEqual(kemKey);
    expect(vault.secret('nothing')).toBeUndefined();
  });

  it('hands out copies: changing one does not change the key', async () => {
    const db = await freshDb();
    const vault = await createVault(db, PASS, { signKey: Uint8Array.of(1, 2, 3) }, FAST);
    vault.secret('signKey')!.fill(0);
    expect(vault.secret('signKey')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('refuses a wrong passphrase, a missing vault and a short new passphrase', async () => {
    const db = await freshDb();
    expect(await codeOf(unlockVault(db, PASS))).toBe('APP_VAULT_MISSING');
    expect(await codeOf(createVault(db, 'short', { a: Uint8Array.of(1) }, FAST))).toBe(
      'APP_PASSPHRASE_TOO_SHORT',
    );
    expect(await hasVault(db)).toBe(false);
    await createVault(db, PASS, { a: Uint8Array.of(1) }, FAST);
    expect(await codeOf(unlockVault(db, 'correct horse battery!'))).toBe('APP_WRONG_PASSPHRASE');
    expect(await codeOf(unlockVault(db, ''))).toBe('APP_WRONG_PASSPHRASE');
  });

  it('unlocks with the same words typed in another Unicode form (NFC)', async () => {
    const db = await freshDb();
    await createVault(db, 'caf\u00e9 au lait', { a: Uint8Array.of(1) }, FAST);
    const vault = await unlockVault(db, 'cafe\u0301 au lait');
    expect(vault.secret('a')).toEqual(Uint8Array.of(1));
  });

  it('stores no plaintext secret bytes, and the KDF parameters beside the ciphertext', async () => {
    const db = await freshDb();
    const secret = randomBytes(32);
    await createVault(db, PASS, { signKey: secret });
    const record = (await db.get('meta', VAULT_KEY)) as Record<string, unknown> | undefined;
    expect(record).toMatchObject({ v: 1, kdf: { name: 'PBKDF2-SHA256', iterations: 600_000 } });
    const kdf = record!['kdf'] as { salt: Uint8Array };
    expect(kdf.salt).toHaveLength(16);
    expect(record!['iv']).toHaveLength(12);
    for (const part of [kdf.salt, record!['iv'], record!['ciphertext']] as Uint8Array[]) {
      expect(contains(part, secret.subarray(0, 8))).toBe(false);
    }
    expect(
      JSON.stringify(record, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v)),
    ).not.toContain([...secret.subarray(0, 4)].join(','));
  });

  it('uses a fresh salt and IV for each vault', async () => {
    const a = await freshDb();
    const b = await freshDb();
    await createVault(a, PASS, { k: Uint8Array.of(1) }, FAST);
    await createVault(b, PASS, { k: Uint8Array.of(1) }, FAST);
    type Rec = { kdf: { salt: Uint8Array }; iv: Uint8Array } | undefined;
    const ra = (await a.get('meta', VAULT_KEY)) as Rec;
    const rb = (await b.get('meta', VAULT_KEY)) as Rec;
    expect(ra!.kdf.salt).not.toEqual(rb!.kdf.salt);
    expect(ra!.iv).not.toEqual(rb!.iv);
  });

  it('locks: no secret, no replace, no backup copy after lock()', async () => {
    const db = await freshDb();
    const vault = await createVault(db, PASS, { k: Uint8Array.of(5) }, FAST);
    vault.lock();
    expect(() => vault.secret('k')).toThrow(expect.objectContaining({ code: 'APP_VAULT_LOCKED' }));
    expect(() => vaultSecrets(vault)).toThrow(
      expect.objectContaining({ code: 'APP_VAULT_LOCKED' }),
    );
    expect(await codeOf(vault.replace({ k: Uint8Array.of(6) }))).toBe('APP_VAULT_LOCKED');
    expect((await unlockVault(db, PASS)).secret('k')).toEqual(Uint8Array.of(5));
  });

  it('replaces the secrets together with other writes, in one transaction', async () => {
    const db = await freshDb();
    const vault = await createVault(db, PASS, { old: Uint8Array.of(1) }, FAST);
    await vault.replace({ fresh: Uint8Array.of(2) }, [
      { put: 'meta', key: 'cert', value: 'new-cert' },
    ]);
    expect(vault.secret('old')).toBeUndefined();
    expect(vault.secret('fresh')).toEqual(Uint8Array.of(2));
    expect(await db.get('meta', 'cert')).toBe('new-cert');
    const again = await unlockVault(db, PASS);
    expect(again.secret('fresh')).toEqual(Uint8Array.of(2));
    expect(again.secret('old')).toBeUndefined();
  });

  it('keeps the old secrets, stored and in memory, when the combined write fails', async () => {
    const db = await freshDb();
    const vault = await createVault(db, PASS, { k: Uint8Array.of(1) }, FAST);
    const failing = vault.replace({ k: Uint8Array.of(2) }, [
      { put: 'meta', key: 'x', value: () => 0 },
    ]);
    expect(await codeOf(failing)).toBe('APP_STORAGE_FAILED');
    expect(vault.secret('k')).toEqual(Uint8Array.of(1));
    expect((await unlockVault(db, PASS)).secret('k')).toEqual(Uint8Array.of(1));
    expect(await db.get('meta', 'x')).toBeUndefined();
  });

  it('does not open a record that was altered or moved to another database', async () => {
    const db = await freshDb();
    await createVault(db, PASS, { k: randomBytes(32) }, FAST);
    const record = (await db.get('meta', VAULT_KEY)) as { ciphertext: Uint8Array };
    const flipped = { ...record, ciphertext: record.ciphertext.slice() };
    flipped.ciphertext[3]! ^= 1;
    const other = await freshDb();
    await other.write([{ put: 'meta', key: VAULT_KEY, value: record }]);
    expect(await codeOf(unlockVault(other, PASS))).toBe('APP_WRONG_PASSPHRASE');
    await db.write([{ put: 'meta', key: VAULT_KEY, value: flipped }]);
    expect(await codeOf(unlockVault(db, PASS))).toBe('APP_WRONG_PASSPHRASE');
  });

  it('calls a record of the wrong shape damaged, not a wrong passphrase', async () => {
    const db = await freshDb();
    for (const bad of ['text', { v: 1 }, { v: 2, kdf: {}, iv: 1, ciphertext: 2 }]) {
      await db.write([{ put: 'meta', key: VAULT_KEY, value: bad }]);
      expect(await codeOf(unlockVault(db, PASS))).toBe('APP_VAULT_DAMAGED');
    }
    await db.write([
      {
        put: 'meta',
        key: VAULT_KEY,
        value: {
          v: 1,
          kdf: { name: 'PBKDF2-SHA256', iterations: 1e12, salt: new Uint8Array(16) },
          iv: new Uint8Array(12),
          ciphertext: new Uint8Array(32),
        },
      },
    ]);
    expect(await codeOf(unlockVault(db, PASS))).toBe('APP_VAULT_DAMAGED');
  });

  it('refuses secrets that are not named byte strings', async () => {
    const db = await freshDb();
    await expect(createVault(db, PASS, { k: 'text' as never }, FAST)).rejects.toThrow(TypeError);
    await expect(createVault(db, PASS, { __proto__x: Uint8Array.of(1) }, FAST)).rejects.toThrow(
      TypeError,
    );
    expect(await hasVault(db)).toBe(false);
  });
});

import { randomBytes, toBase64Url, utf8 } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { exportBackup, importBackup, MAX_BACKUP_CHARS } from '../src/backup.js';
import { deriveKey, encrypt, newKdfParams } from '../src/kdf.js';
import { fromTaggedJson, toTaggedJson } from '../src/serialize.js';
import { VAULT_KEY } from '../src/storage/db.js';
import type { Key } from '../src/storage/schema.js';
import { createVault, unlockVault, type Vault } from '../src/vault.js';
import { freshDb, type Item, type TestDb } from './support/schema.js';

const FAST = { iterations: 1000 };
const PASS = 'backup passphrase';

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: unknown }).code ?? e,
  );
}

const signKey = randomBytes(32);
const kemKey = randomBytes(32);

/** A database with values of every kind in meta, records, and a vault. */
async function filledDb(): Promise<{ db: TestDb; vault: Vault }> {
  const db = await freshDb();
  const vault = await createVault(db, PASS, { signKey, kemKey }, FAST);
  await db.write([
    {
      put: 'meta',
      key: 'cert',
      value: {
        bytes: Uint8Array.of(0, 255),
        limit: 9_007_199_254_740_993n,
        when: new Date('2026-01-02T03:04:05.000Z'),
        memo: undefined,
        $dollar: 'kept',
        nested: [[null, true, -1.5, 'é']],
      },
    },
    { put: 'meta', key: 'lastBankTime', value: 1_800_000_000 },
    { put: 'items', value: { id: 'p2', group: 1, value: 'sent' } },
    { put: 'items', value: { id: 'p1', group: 2, value: 'receipted', code: 'x' } },
  ]);
  return { db, vault };
}

async function fileOf(): Promise<{ db: TestDb; text: string }> {
  const { db, vault } = await filledDb();
  return { db, text: await exportBackup(db, vault, PASS, 'sender', FAST) };
}

describe('tagged JSON', () => {
  it('round-trips every kind of stored value faithfully', () => {
    const value = {
      b: Uint8Array.of(1, 2),
      n: -5n,
      d: new Date(0),
      u: undefined,
      $tag: { $$x: 1 },
      ['__proto__']: { polluted: true },
      list: [1, 'two', null, false, [Uint8Array.of()]],
    };
    Object.defineProperty(value, '__proto__', { value: { polluted: true }, enumerable: true });
    const back = fromTaggedJson(JSON.parse(JSON.stringify(toTaggedJson(value)))) as typeof value;
    expect(back).toEqual(value);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, 'u')).toBe(true);
  });

  it('refuses values with no faithful form, and unknown tags on the way in', () => {
    for (const bad of [
      () => 1,
      new Map(),
      NaN,
      Symbol('s'),
      new Uint16Array(2),
      new (class X {})(),
    ])
      expect(() => toTaggedJson({ bad })).toThrow(TypeError);
    for (const bad of [
      { $q: 1 },
      { $b: 'a+b' },
      { $n: '1.5' },
      { $u: 2 },
      { $b: 'AA', x: 1 },
      Number.POSITIVE_INFINITY,
    ])
      expect(() => fromTaggedJson(bad)).toThrow(/\$|finite|tag/);
  });
});

describe('backup file', () => {
  it('is the documented JSON, under a fresh salt, without the secrets in the clear', async () => {
    const { db, text } = await fileOf();
    const file = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(file)).toEqual(['offpay-backup', 'app', 'createdAt', 'kdf', 'iv', 'data']);
    expect(file).toMatchObject({
      'offpay-backup': 2,
      app: 'sender',
      kdf: { name: 'PBKDF2-SHA256', iterations: 1000 },
    });
    const vaultRecord = (await db.get('meta', VAULT_KEY)) as { kdf: { salt: Uint8Array } };
    expect((file['kdf'] as { salt: string }).salt).not.toBe(toBase64Url(vaultRecord.kdf.salt));
    expect(text).not.toContain(toBase64Url(signKey).slice(0, 12));
    expect(text).not.toContain('receipted');
  });

  it('uses 600,000 PBKDF2 iterations unless told otherwise', async () => {
    const { db, vault } = await filledDb();
    const text = await exportBackup(db, vault, PASS, 'sender');
    expect(JSON.parse(text)).toMatchObject({ kdf: { iterations: 600_000 } });
  });

  it('restores everything into another database and unlocks with the same passphrase', async () => {
    const { db, text } = await fileOf();
    const target = await freshDb();
    await target.write([{ put: 'meta', key: 'stale', value: 1 }]);
    const vault = await importBackup(target, text, PASS, 'sender', undefined, FAST);
    expect(vault.secret('signKey')).toEqual(signKey);
    expect(await target.snapshot()).toEqual(await db.snapshot());
    expect(await target.get('meta', 'stale')).toBeUndefined();
    expect((await target.byIndex('items', 'code', 'x')).map((i) => i.id)).toEqual(['p1']);
    const unlocked = await unlockVault(target, PASS);
    expect(unlocked.secret('kemKey')).toEqual(kemKey);
  });

  it('applies the transform before restoring (a restored sender drops its payer key)', async () => {
    const { text } = await fileOf();
    const target = await freshDb();
    const vault = await importBackup(
      target,
      text,
      PASS,
      'sender',
      ({ secrets, db }) => ({
        secrets: { kemKey: secrets['kemKey']! },
        db: {
          stores: { ...db.stores, meta: db.stores['meta']!.filter(([key]) => key !== 'cert') },
        },
      }),
      FAST,
    );
    expect(vault.secret('signKey')).toBeUndefined();
    expect((await unlockVault(target, PASS)).secret('signKey')).toBeUndefined();
    expect(await target.get('meta', 'cert')).toBeUndefined();
    expect(await target.get('meta', 'lastBankTime')).toBe(1_800_000_000);
  });

  it('refuses the wrong passphrase and the other app, changing nothing', async () => {
    const { text } = await fileOf();
    const target = await freshDb();
    await target.write([{ put: 'meta', key: 'mine', value: 1 }]);
    expect(await codeOf(importBackup(target, text, 'not the passphrase', 'sender'))).toBe(
      'APP_WRONG_PASSPHRASE',
    );
    expect(await codeOf(importBackup(target, text, PASS, 'receiver'))).toBe('APP_BACKUP_WRONG_APP');
    expect(await target.get('meta', 'mine')).toBe(1);
    expect(await codeOf(unlockVault(target, PASS))).toBe('APP_VAULT_MISSING');
  });

  it('refuses every one-character change of the file', async () => {
    const { text } = await fileOf();
    const target = await freshDb();
    const seen = new Set<unknown>();
    for (let i = 0; i < text.length; i++) {
      const replacement = text[i] === 'B' ? 'C' : 'B';
      const changed = text.slice(0, i) + replacement + text.slice(i + 1);
      const code = await codeOf(importBackup(target, changed, PASS, 'sender', undefined, FAST));
      expect(['APP_BACKUP_INVALID', 'APP_WRONG_PASSPHRASE']).toContain(code);
      seen.add(code);
    }
    expect(seen.size).toBe(2);
    expect(await target.snapshot()).toEqual({ stores: { meta: [], items: [] } });
  });

  it('refuses malformed files with APP_BACKUP_INVALID and a reason, never a TypeError', async () => {
    const { text } = await fileOf();
    const good = JSON.parse(text) as Record<string, unknown>;
    const target = await freshDb();
    const variants: unknown[] = [
      '',
      'null',
      '[]',
      '"text"',
      '{}',
      { ...good, 'offpay-backup': 3 },
      { ...good, 'offpay-backup': '1' },
      { ...good, extra: 1 },
      { ...good, app: 'wallet' },
      { ...good, createdAt: 'yesterday' },
      { ...good, kdf: null },
      { ...good, kdf: { name: 'scrypt', iterations: 1000, salt: 'AAAAAAAAAAAAAAAAAAAAAA' } },
      { ...good, kdf: { ...(good['kdf'] as object), iterations: 1e12 } },
      { ...good, kdf: { ...(good['kdf'] as object), iterations: 1.5 } },
      { ...good, iv: 'AAAA' },
      { ...good, data: 'not base64!' },
      { ...good, data: '' },
      '['.repeat(100_000),
    ];
    for (const variant of variants) {
      const input = typeof variant === 'string' ? variant : JSON.stringify(variant);
      const error = await importBackup(target, input, PASS, 'sender').then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(error).toMatchObject({ code: 'APP_BACKUP_INVALID' });
      expect(error!.message).toMatch(/^This is not a usable offpay backup: .+\.$/);
    }
  });

  it('refuses a file larger than 8 MiB before parsing it', async () => {
    const target = await freshDb();
    const huge = `{"offpay-backup":1,"data":"${'A'.repeat(MAX_BACKUP_CHARS)}"}`;
    expect(await codeOf(importBackup(target, huge, PASS, 'sender'))).toBe('APP_INPUT_TOO_LARGE');
  });

  it('restores nothing when the restore cannot be written', async () => {
    const { text } = await fileOf();
    const target = await freshDb();
    await createVault(target, 'the old passphrase', { old: Uint8Array.of(1) }, FAST);
    await target.write([{ put: 'meta', key: 'mine', value: 1 }]);
    const meta = (c: { db: { stores: Record<string, [Key, unknown][]> } }) => c.db.stores['meta']!;
    const unstorable = importBackup(
      target,
      text,
      PASS,
      'sender',
      (c) => ({ ...c, db: { stores: { ...c.db.stores, meta: [...meta(c), ['fn', () => 0]] } } }),
      FAST,
    );
    expect(await codeOf(unstorable)).toBe('APP_STORAGE_FAILED');
    expect(await target.get('meta', 'mine')).toBe(1);
    expect(await target.get('meta', 'cert')).toBeUndefined();
    expect((await unlockVault(target, 'the old passphrase')).secret('old')).toEqual(
      Uint8Array.of(1),
    );
  });

  it('refuses a transform result of the wrong shape', async () => {
    const { text } = await fileOf();
    const target = await freshDb();
    const broken = importBackup(target, text, PASS, 'sender', () => ({}) as never, FAST);
    expect(await codeOf(broken)).toBe('APP_BACKUP_INVALID');
  });

  it('needs an unlocked vault and a long enough passphrase to export', async () => {
    const { db, vault } = await filledDb();
    expect(await codeOf(exportBackup(db, vault, 'short', 'sender'))).toBe(
      'APP_PASSPHRASE_TOO_SHORT',
    );
    vault.lock();
    expect(await codeOf(exportBackup(db, vault, PASS, 'sender'))).toBe('APP_VAULT_LOCKED');
  });
});

/** A backup file as the first apps wrote it (format 1: `db: {state, logs}`), frozen here. */
async function v1File(contents: unknown, app = 'sender'): Promise<string> {
  const createdAt = '2026-11-01T10:00:00.000Z';
  const kdf = newKdfParams(1000);
  const key = await deriveKey(PASS, kdf);
  const aad = utf8(JSON.stringify(['offpay-backup', 1, app, createdAt]));
  const sealed = await encrypt(key, utf8(JSON.stringify(toTaggedJson(contents))), aad);
  return JSON.stringify({
    'offpay-backup': 1,
    app,
    createdAt,
    kdf: { name: kdf.name, iterations: kdf.iterations, salt: toBase64Url(kdf.salt) },
    iv: toBase64Url(sealed.iv),
    data: toBase64Url(sealed.ciphertext),
  });
}

describe('a version-1 backup file', () => {
  it('is restored through the schema: the old rows land in the new stores', async () => {
    const text = await v1File({
      secrets: { signKey },
      db: {
        state: [['bankUrl', 'https://bank.example']],
        logs: {
          ledger: [
            ['e0', 'first'],
            ['e1', 'second'],
          ],
          history: [],
        },
      },
    });
    const target = await freshDb();
    const vault = await importBackup(target, text, PASS, 'sender', undefined, FAST);
    expect(vault.secret('signKey')).toEqual(signKey);
    expect(await target.get('meta', 'bankUrl')).toBe('https://bank.example');
    expect(await target.all('items')).toEqual([
      { id: 'e0', group: 1, code: 'c0', value: 'first' } satisfies Item,
      { id: 'e1', group: 1, code: 'c1', value: 'second' },
    ]);
  });

  it('is refused when its old layout is malformed', async () => {
    const text = await v1File({
      secrets: {},
      db: { state: [['x']], logs: { ledger: [], history: [] } },
    });
    expect(await codeOf(importBackup(await freshDb(), text, PASS, 'sender', undefined, FAST))).toBe(
      'APP_BACKUP_INVALID',
    );
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { VAULT_KEY, openAppDb, requestPersistentStorage } from '../src/index.js';
import { writeV1Database, type V1Dump } from '../testing.js';
import { freshDb, testSchema, type Item } from './support/schema.js';

afterEach(() => vi.unstubAllGlobals());

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (e as { code?: unknown }).code,
  );
}

const item = (id: string, over: Partial<Item> = {}): Item => ({ id, group: 1, ...over });

describe('stores', () => {
  it('keeps meta singletons by name, bytes included, and deletes them', async () => {
    const db = await freshDb();
    const value = { bytes: Uint8Array.of(1, 2, 3), n: 12n };
    await db.write([{ put: 'meta', key: 'x', value }]);
    expect(await db.get('meta', 'x')).toEqual(value);
    await db.write([{ delete: 'meta', key: 'x' }]);
    expect(await db.get('meta', 'x')).toBeUndefined();
  });

  it('reads records in key order and by index, leaving damaged rows out but counting them', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'items', value: item('b', { group: 2 }) },
      { put: 'items', value: item('a', { group: 2 }) },
      { put: 'items', value: item('c') },
      { put: 'items', value: { id: 'd', group: 'two' } as unknown as Item },
    ]);
    expect((await db.all('items')).map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect((await db.byIndex('items', 'group', 2)).map((i) => i.id)).toEqual(['a', 'b']);
    expect(await db.get('items', 'd')).toBeUndefined();
    expect(await db.count('items')).toBe(4);
    expect(await db.count('items', 2, 'group')).toBe(2);
  });

  it('keeps what was written after the database is closed and opened again', async () => {
    const first = await openAppDb(testSchema, 'kit-reopen');
    await first.write([{ put: 'items', value: item('k') }]);
    first.close();
    const again = await freshDb('kit-reopen');
    expect(await again.get('items', 'k')).toEqual(item('k'));
  });
});

describe('write is all or nothing', () => {
  it('leaves nothing behind when one op fails, and says why without a value', async () => {
    const db = await freshDb();
    await db.write([{ put: 'meta', key: 'kept', value: 'before' }]);
    const failing = db.write([
      { put: 'meta', key: 'kept', value: 'changed' },
      { put: 'items', value: item('a', { value: 'secret-value-123' }) },
      // A function cannot be stored (DataCloneError): the whole write must roll back.
      { put: 'meta', key: 'b', value: { f: () => 'secret-value-123' } },
    ]);
    const error = await failing.catch((e: unknown) => e as Error);
    expect(error).toMatchObject({
      code: 'APP_STORAGE_FAILED',
      details: { reason: 'DataCloneError' },
    });
    expect((error as Error).message).not.toContain('secret-value-123');
    expect(await db.get('meta', 'kept')).toBe('before');
    expect(await db.count('items')).toBe(0);
  });

  it('refuses a second record under a unique index, writing nothing', async () => {
    const db = await freshDb();
    await db.write([{ put: 'items', value: item('a', { code: 'x' }) }]);
    const twice = db.write([
      { put: 'items', value: item('b') },
      { put: 'items', value: item('c', { code: 'x' }) },
    ]);
    expect(await codeOf(twice)).toBe('APP_STORAGE_FAILED');
    expect((await db.all('items')).map((i) => i.id)).toEqual(['a']);
  });

  it('refuses a write to a store the schema does not have', async () => {
    const db = await freshDb();
    await expect(db.write([{ put: 'nope', value: 1 } as never])).rejects.toThrow(TypeError);
  });
});

describe('snapshot and replaceAll', () => {
  it('snapshots every store but never the vault record', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'meta', key: VAULT_KEY, value: { ciphertext: Uint8Array.of(9) } },
      { put: 'meta', key: 's', value: Uint8Array.of(7) },
      { put: 'items', value: item('a') },
    ]);
    expect(await db.snapshot()).toEqual({
      stores: { meta: [['s', Uint8Array.of(7)]], items: [['a', item('a')]] },
    });
  });

  it('replaces everything with the snapshot, plus the extra writes', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'meta', key: 'old', value: 1 },
      { put: 'items', value: item('old') },
    ]);
    await db.replaceAll({ stores: { meta: [['new', { x: 1 }]], items: [['z', item('z')]] } }, [
      { put: 'meta', key: VAULT_KEY, value: 'record' },
    ]);
    expect(await db.get('meta', 'old')).toBeUndefined();
    expect(await db.get('meta', 'new')).toEqual({ x: 1 });
    expect(await db.get('meta', VAULT_KEY)).toBe('record');
    expect((await db.all('items')).map((i) => i.id)).toEqual(['z']);
  });

  it('changes nothing when the replacement fails half way', async () => {
    const db = await freshDb();
    await db.write([{ put: 'meta', key: 'keep', value: 'me' }]);
    const bad = {
      stores: { meta: [['a', 1] as [string, unknown], ['b', () => 1] as [string, unknown]] },
    };
    expect(await codeOf(db.replaceAll(bad))).toBe('APP_STORAGE_FAILED');
    expect(await db.get('meta', 'keep')).toBe('me');
  });

  it('refuses a snapshot with a vault record, an unknown store or a damaged row', async () => {
    const db = await freshDb();
    for (const stores of [
      { meta: [[VAULT_KEY, 1]] },
      { other: [] },
      { items: [['a', { id: 'a' }]] },
    ] as const) {
      await expect(db.replaceAll({ stores: stores as never })).rejects.toThrow(
        /meta|store|damaged/,
      );
    }
  });
});

describe('upgrade from the version-1 layout', () => {
  const dump: V1Dump = {
    name: 'kit-v1',
    version: 1,
    state: [
      ['bankUrl', 'https://bank.example'],
      ['n', 7],
    ],
    logs: [
      { log: 'ledger', key: 'second', seq: 2, value: 'B' },
      { log: 'ledger', key: 'first', seq: 1, value: 'A' },
      { log: 'history', key: 'h', seq: 1, value: 'H' },
    ],
  };

  it('moves every row where the schema says, in the log order, and drops the old stores', async () => {
    await writeV1Database(dump);
    const db = await freshDb('kit-v1');
    expect(await db.get('meta', 'bankUrl')).toBe('https://bank.example');
    expect(await db.get('meta', 'n')).toBe(7);
    expect(await db.all('items')).toEqual([
      { id: 'first', group: 1, code: 'c0', value: 'A' },
      { id: 'second', group: 1, code: 'c1', value: 'B' },
    ]);
    expect((await db.snapshot()).stores['meta']).toEqual(dump.state);
  });

  it('changes nothing when moving fails: the old database opens as it was', async () => {
    // Two ledger rows the schema maps to one unique code: the upgrade transaction aborts.
    const clash = {
      ...testSchema,
      fromV1: () => ({
        stores: {
          items: [
            ['a', item('a', { code: 'x' })],
            ['b', item('b', { code: 'x' })],
          ] as [string, Item][],
        },
      }),
    };
    await writeV1Database({ ...dump, name: 'kit-v1-clash' });
    expect(await codeOf(openAppDb(clash, 'kit-v1-clash'))).toBe('APP_STORAGE_FAILED');
    const old = await new Promise<IDBDatabase>((ok) => {
      const open = indexedDB.open('kit-v1-clash');
      open.onsuccess = () => ok(open.result);
    });
    expect(old.version).toBe(1);
    expect([...old.objectStoreNames]).toEqual(['logs', 'state']);
    old.close();
    const db = await freshDb('kit-v1-clash');
    expect(await db.get('meta', 'n')).toBe(7);
  });
});

describe('requestPersistentStorage', () => {
  it('is false where the browser has no storage manager', async () => {
    vi.stubGlobal('navigator', {});
    expect(await requestPersistentStorage()).toBe(false);
  });

  it('answers what the browser grants', async () => {
    const persist = vi.fn(() => Promise.resolve(true));
    vi.stubGlobal('navigator', { storage: { persist, persisted: () => Promise.resolve(false) } });
    expect(await requestPersistentStorage()).toBe(true);
    expect(persist).toHaveBeenCalledOnce();
  });

  it('never throws, even when the browser does', async () => {
    vi.stubGlobal('navigator', { storage: { persist: () => Promise.reject(new Error('no')) } });
    expect(await requestPersistentStorage()).toBe(false);
  });
});

describe('transaction: reads and writes in one', () => {
  it('sees its own state, writes with it, and returns what its body returns', async () => {
    const db = await freshDb();
    await db.write([{ put: 'items', value: item('a', { group: 2 }) }]);
    const seen = await db.transaction(['items', 'meta'], async (tx) => {
      const [a, count] = await Promise.all([tx.get('items', 'a'), tx.count('items')]);
      await tx.write([
        { put: 'items', value: item('b', { group: a!.group }) },
        { put: 'meta', key: 'n', value: count + 1 },
      ]);
      return (await tx.byIndex('items', 'group', 2)).map((i) => i.id);
    });
    expect(seen).toEqual(['a', 'b']);
    expect(await db.get('meta', 'n')).toBe(2);
    // The record with the greatest key, within a range or not; none in an empty range.
    expect((await db.last('items'))?.id).toBe('b');
    expect((await db.last('items', IDBKeyRange.upperBound('a')))?.id).toBe('a');
    expect(await db.last('items', IDBKeyRange.lowerBound('c'))).toBeUndefined();
  });

  it('writes nothing when its body throws, and rethrows that error as it is', async () => {
    const db = await freshDb();
    await db.write([{ put: 'meta', key: 'kept', value: 'before' }]);
    const refusal = new RangeError('refused by a rule');
    const failing = db.transaction(['meta', 'items'], async (tx) => {
      await tx.write([
        { put: 'meta', key: 'kept', value: 'changed' },
        { put: 'items', value: item('x') },
      ]);
      throw refusal;
    });
    await expect(failing).rejects.toBe(refusal);
    expect(await db.get('meta', 'kept')).toBe('before');
    expect(await db.all('items')).toEqual([]);
  });

  it('rolls back and says APP_STORAGE_FAILED when a value cannot be stored', async () => {
    const db = await freshDb();
    const failing = db.transaction(['meta'], (tx) =>
      tx.write([
        { put: 'meta', key: 'a', value: 1 },
        { put: 'meta', key: 'b', value: { f: () => 0 } },
      ]),
    );
    expect(await codeOf(failing)).toBe('APP_STORAGE_FAILED');
    expect(await db.get('meta', 'a')).toBeUndefined();
  });
});

describe('fewer requests in a transaction', () => {
  it('counted: the records and how many rows were stored, damaged ones included', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'items', value: item('a', { group: 2 }) },
      { put: 'items', value: item('b', { group: 2 }) },
      { put: 'items', value: { id: 'c', group: 2, code: 5 } as unknown as Item },
      { put: 'items', value: { id: 'd', group: 'two' } as unknown as Item },
    ]);
    const whole = await db.counted('items');
    expect(whole.rows.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(whole.stored).toBe(4);
    const inTx = await db.transaction(['items'], (tx) => tx.counted('items', 2, 'group'));
    expect(inTx.rows.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(inTx.stored).toBe(3);
    expect(await db.counted('items', IDBKeyRange.bound('b', 'c'))).toMatchObject({ stored: 2 });
  });

  it('metaAtOnce: the meta rows as get reads them, and the transaction sees its own writes', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'meta', key: 'a', value: 1 },
      { put: 'meta', key: 'b', value: Uint8Array.of(7) },
      { put: 'meta', key: 'c', value: 'gone soon' },
    ]);
    const seen = await db.transaction(['meta', 'items'], async (tx) => {
      tx.metaAtOnce();
      const before = await Promise.all([
        tx.get('meta', 'a'),
        tx.get('meta', 'b'),
        tx.get('meta', 'z'),
      ]);
      await tx.write([
        { put: 'meta', key: 'a', value: 2 },
        { delete: 'meta', key: 'c' },
        { put: 'items', value: item('x') },
      ]);
      const after = await Promise.all([
        tx.get('meta', 'a'),
        tx.get('meta', 'c'),
        tx.get('items', 'x'),
      ]);
      return { before, after };
    });
    expect(seen.before).toEqual([1, Uint8Array.of(7), undefined]);
    expect(seen.after).toEqual([2, undefined, item('x')]);
    expect(await db.get('meta', 'a')).toBe(2);
    expect(await db.get('meta', 'c')).toBeUndefined();
  });

  it('metaAtOnce reads the rows another transaction committed before it, never a stale copy', async () => {
    const db = await freshDb();
    await db.write([{ put: 'meta', key: 'n', value: 0 }]);
    // Two transactions at once over meta, each reading n and writing n + 1: IndexedDB runs them
    // one after the other, so the second reads the first's write (no update is lost).
    const bump = () =>
      db.transaction(['meta'], async (tx) => {
        tx.metaAtOnce();
        const n = (await tx.get('meta', 'n')) as number;
        await tx.write([{ put: 'meta', key: 'n', value: n + 1 }]);
        return n;
      });
    expect((await Promise.all([bump(), bump(), bump()])).sort()).toEqual([0, 1, 2]);
    expect(await db.get('meta', 'n')).toBe(3);
  });

  it('metaAtOnce reads keys and values apart where the browser has no getAllRecords', async () => {
    const proto = IDBObjectStore.prototype as { getAllRecords?: unknown };
    const original = Object.getOwnPropertyDescriptor(proto, 'getAllRecords');
    expect(original).toBeDefined(); // fake-indexeddb has it, as Chromium does
    delete proto.getAllRecords;
    try {
      const db = await freshDb();
      await db.write([
        { put: 'meta', key: 'b', value: 'second' },
        { put: 'meta', key: 'a', value: 'first' },
      ]);
      const read = await db.transaction(['meta'], async (tx) => {
        tx.metaAtOnce();
        return Promise.all([tx.get('meta', 'a'), tx.get('meta', 'b')]);
      });
      expect(read).toEqual(['first', 'second']);
    } finally {
      Object.defineProperty(proto, 'getAllRecords', original!);
    }
  });
});

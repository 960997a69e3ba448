import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  openAppDb,
  requestPersistentStorage,
  VAULT_KEY,
  type AppDb,
  type DbSnapshot,
} from '../src/db.js';

let n = 0;
const opened: AppDb[] = [];
async function freshDb(): Promise<AppDb> {
  const db = await openAppDb(`db-test-${++n}`);
  opened.push(db);
  return db;
}

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  vi.unstubAllGlobals();
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code });
  return error as Error;
}

describe('state', () => {
  it('stores values by structured clone, bytes included, and deletes them', async () => {
    const db = await freshDb();
    const value = { bytes: Uint8Array.of(1, 2, 3), n: 12n, nested: [{ a: null }] };
    await db.write([{ put: 'x', value }]);
    expect(await db.get('x')).toEqual(value);
    expect((await db.get<{ bytes: Uint8Array }>('x'))?.bytes).toBeInstanceOf(Uint8Array);
    await db.write([{ delete: 'x' }]);
    expect(await db.get('x')).toBeUndefined();
  });

  it('keeps what was written after the database is closed and opened again', async () => {
    const first = await openAppDb('db-test-reopen');
    await first.write([
      { put: 'k', value: 'v' },
      { log: 'ledger', key: 'b', value: 1 },
    ]);
    first.close();
    const again = await freshDb();
    const reopened = await openAppDb('db-test-reopen');
    opened.push(reopened);
    await reopened.write([{ log: 'ledger', key: 'a', value: 2 }]);
    expect(await reopened.get('k')).toBe('v');
    expect(await reopened.list('ledger')).toEqual([1, 2]);
    expect(await again.get('k')).toBeUndefined();
  });
});

describe('write is all or nothing', () => {
  it('leaves nothing behind when one op of the write fails', async () => {
    const db = await freshDb();
    await db.write([{ put: 'kept', value: 'before' }]);
    const error = await expectCode(
      db.write([
        { put: 'kept', value: 'changed' },
        { put: 'a', value: 'secret-value-123' },
        { log: 'ledger', key: 'p1', value: { amount: 5 } },
        // A function cannot be stored (DataCloneError): the whole write must roll back.
        { put: 'b', value: { f: () => 'secret-value-123' } },
      ]),
      'APP_STORAGE_FAILED',
    );
    expect(error.message).not.toContain('secret-value-123');
    expect(await db.get('kept')).toBe('before');
    expect(await db.get('a')).toBeUndefined();
    expect(await db.list('ledger')).toEqual([]);
  });

  it('refuses a malformed op before touching the database', async () => {
    const db = await freshDb();
    await expect(
      db.write([{ put: 'a', value: 1 }, { log: 'nope', key: 'x', value: 1 } as never]),
    ).rejects.toThrow(TypeError);
    expect(await db.get('a')).toBeUndefined();
  });
});

describe('logs', () => {
  it('lists records in insertion order, not key order, each log apart', async () => {
    const db = await freshDb();
    await db.write([
      { log: 'ledger', key: 'zz', value: 'first' },
      { log: 'history', key: 'h1', value: 'h-first' },
    ]);
    await db.write([
      { log: 'ledger', key: 'aa', value: 'second' },
      { log: 'ledger', key: 'mm', value: 'third' },
    ]);
    expect(await db.list('ledger')).toEqual(['first', 'second', 'third']);
    expect(await db.list('history')).toEqual(['h-first']);
  });

  it('reads one record of a log by its key, each log apart', async () => {
    const db = await freshDb();
    await db.write([
      { log: 'ledger', key: 'k', value: { amount: 250 } },
      { log: 'history', key: 'k', value: 'history k' },
    ]);
    expect(await db.record('ledger', 'k')).toEqual({ amount: 250 });
    expect(await db.record('history', 'k')).toBe('history k');
    expect(await db.record('ledger', 'missing')).toBeUndefined();
  });

  it('keeps the original position of a replaced record', async () => {
    const db = await freshDb();
    for (const key of ['a', 'b', 'c'])
      await db.write([{ log: 'history', key, value: `${key}:sent` }]);
    await db.write([{ log: 'history', key: 'a', value: 'a:settled' }]);
    await db.write([{ log: 'history', key: 'd', value: 'd:sent' }]);
    expect(await db.list('history')).toEqual(['a:settled', 'b:sent', 'c:sent', 'd:sent']);
  });

  it('orders many records added in one write', async () => {
    const db = await freshDb();
    const keys = Array.from({ length: 50 }, (_, i) => `k${(i * 37) % 50}`);
    await db.write(keys.map((key) => ({ log: 'ledger' as const, key, value: key })));
    expect(await db.list('ledger')).toEqual(keys);
  });
});

describe('snapshot and replaceAll', () => {
  it('snapshots state and logs but never the vault record', async () => {
    const db = await freshDb();
    await db.write([
      { put: VAULT_KEY, value: { ciphertext: Uint8Array.of(9) } },
      { put: 's', value: Uint8Array.of(7) },
      { log: 'ledger', key: 'b', value: 1 },
      { log: 'ledger', key: 'a', value: 2 },
    ]);
    const snap = await db.snapshot();
    expect(snap).toEqual({
      state: [['s', Uint8Array.of(7)]],
      logs: {
        ledger: [
          ['b', 1],
          ['a', 2],
        ],
        history: [],
      },
    });
  });

  it('replaces everything with the snapshot, in its order, plus the extra writes', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'old', value: 1 },
      { log: 'history', key: 'old', value: 1 },
    ]);
    const snap: DbSnapshot = {
      state: [['new', { x: 1 }]],
      logs: {
        ledger: [
          ['z', 'e0'],
          ['a', 'e1'],
        ],
        history: [],
      },
    };
    await db.replaceAll(snap, [{ put: VAULT_KEY, value: 'record' }]);
    expect(await db.get('old')).toBeUndefined();
    expect(await db.get('new')).toEqual({ x: 1 });
    expect(await db.get(VAULT_KEY)).toBe('record');
    expect(await db.list('history')).toEqual([]);
    await db.write([{ log: 'ledger', key: 'b', value: 'e2' }]);
    expect(await db.list('ledger')).toEqual(['e0', 'e1', 'e2']);
  });

  it('changes nothing when the replacement fails half way', async () => {
    const db = await freshDb();
    await db.write([
      { put: 'keep', value: 'me' },
      { log: 'ledger', key: 'e', value: 1 },
    ]);
    const bad: DbSnapshot = {
      state: [
        ['a', 1],
        ['b', () => 1],
      ],
      logs: { ledger: [], history: [] },
    };
    await expectCode(db.replaceAll(bad), 'APP_STORAGE_FAILED');
    expect(await db.get('keep')).toBe('me');
    expect(await db.list('ledger')).toEqual([1]);
  });

  it('refuses a snapshot that carries a vault record', async () => {
    const db = await freshDb();
    const snap: DbSnapshot = { state: [[VAULT_KEY, 1]], logs: { ledger: [], history: [] } };
    await expect(db.replaceAll(snap)).rejects.toThrow(TypeError);
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

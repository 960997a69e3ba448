/**
 * Derived stores and in-place upgrades (storage/upgrade.ts): a version-3 schema that adds a
 * derived store of per-group counts and a new index opens a version-2 database with the counts
 * built from its rows and the old index dropped — or, when building fails, as it was; snapshots
 * leave the derived store out and keep binary keys as bytes; a restore rebuilds it.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { defineSchema, openAppDb, type Snapshot } from '../src/index.js';
import { testSchema, type Item } from './support/schema.js';

interface GroupCount {
  group: number;
  items: number;
}

const countGroups = (stores: Snapshot['stores']): Snapshot['stores'] => {
  const counts = new Map<number, number>();
  for (const [, row] of stores['items'] ?? []) {
    const group = (row as Item).group;
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return {
    groups: [...counts].map(([group, items]): [number, GroupCount] => [group, { group, items }]),
  };
};

const v3 = (derive = countGroups) =>
  defineSchema({
    ...testSchema,
    version: 3,
    stores: {
      meta: testSchema.stores.meta,
      items: {
        ...testSchema.stores.items,
        indexes: { group: { keyPath: 'group' }, byValue: { keyPath: 'value' } },
      },
      groups: {
        keyPath: 'group',
        derived: true,
        parse: (row: unknown) => row as GroupCount,
      },
      keyed: { keyPath: 'key', parse: (row: unknown) => row as { key: Uint8Array } },
    },
    derive,
  });

let n = 0;

/** A version-2 database named `name` holding three items in groups 1, 1 and 2. */
async function v2Database(): Promise<string> {
  const name = `kit-derived-${++n}`;
  const db = await openAppDb(testSchema, name);
  await db.write([
    { put: 'items', value: { id: 'a', group: 1, code: 'x', value: 5 } },
    { put: 'items', value: { id: 'b', group: 1, code: 'y', value: 6 } },
    { put: 'items', value: { id: 'c', group: 2, code: 'z', value: 7 } },
  ]);
  db.close();
  return name;
}

describe('a derived store', () => {
  it('is built from the rows when a version-2 database opens, with the new indexes', async () => {
    const db = await openAppDb(v3(), await v2Database());
    expect(await db.all('groups')).toEqual([
      { group: 1, items: 2 },
      { group: 2, items: 1 },
    ]);
    expect((await db.byIndex('items', 'byValue', 6)).map((i) => i.id)).toEqual(['b']);
    // The index the schema no longer declares is gone.
    await expect(db.byIndex('items', 'code', 'x')).rejects.toMatchObject({
      code: 'APP_STORAGE_FAILED',
    });
    db.close();
  });

  it('leaves a version-2 database as it was when building fails', async () => {
    const name = await v2Database();
    const failing = v3(() => {
      throw new Error('no');
    });
    await expect(openAppDb(failing, name)).rejects.toMatchObject({ code: 'APP_STORAGE_FAILED' });
    const old = await openAppDb(testSchema, name);
    expect((await old.all('items')).map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect((await old.byIndex('items', 'code', 'y')).map((i) => i.id)).toEqual(['b']);
    old.close();
  });

  it('is left out of snapshots, rebuilt on restore, never taken from one', async () => {
    const db = await openAppDb(v3(), await v2Database());
    await db.write([{ put: 'keyed', value: { key: Uint8Array.of(1, 2) } }]);
    const snapshot = await db.snapshot();
    expect(Object.keys(snapshot.stores).sort()).toEqual(['items', 'keyed', 'meta']);
    // A binary key comes back as the bytes it was stored as (a backup can carry it).
    expect(snapshot.stores['keyed']![0]![0]).toEqual(Uint8Array.of(1, 2));
    const copy = await openAppDb(v3(), `kit-derived-${++n}`);
    await copy.replaceAll(snapshot);
    expect(await copy.all('groups')).toEqual(await db.all('groups'));
    const forged: Snapshot = {
      stores: { ...snapshot.stores, groups: [[1, { group: 1, items: 9 }]] },
    };
    await expect(copy.replaceAll(forged)).rejects.toThrow(/rebuilt/);
    db.close();
    copy.close();
  });
});

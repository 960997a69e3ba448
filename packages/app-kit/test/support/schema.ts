/**
 * Shared fixtures of the kit's tests: a small app schema (a `meta` store and an `items` store
 * with two indexes) and fresh databases of it on fake-indexeddb, closed after each test.
 */
import 'fake-indexeddb/auto';
import { afterEach } from 'vitest';
import { defineSchema, openAppDb, type Db, type V1Snapshot } from '../../src/index.js';

/** A record of the `items` store. */
export interface Item {
  id: string;
  group: number;
  code?: string;
  value?: unknown;
}

function parseItem(row: unknown): Item | undefined {
  const r = row as Partial<Item> | null;
  return typeof r === 'object' &&
    r !== null &&
    typeof r.id === 'string' &&
    typeof r.group === 'number'
    ? (r as Item)
    : undefined;
}

/** Version 1's state rows go to meta; its ledger log becomes items of group 1, in order. */
export function testFromV1(old: V1Snapshot) {
  const items = old.logs.ledger.map(([key, value], i): [string, Item] => [
    key,
    { id: key, group: 1, code: `c${i}`, value },
  ]);
  return { stores: { meta: old.state, items } };
}

export const testSchema = defineSchema({
  name: 'offpay-test',
  version: 2,
  stores: {
    meta: { parse: (row: unknown) => row },
    items: {
      keyPath: 'id',
      indexes: { group: { keyPath: 'group' }, code: { keyPath: 'code', unique: true } },
      parse: parseItem,
    },
  },
  fromV1: testFromV1,
});

export type TestDb = Db<typeof testSchema.stores>;

const opened: TestDb[] = [];
let n = 0;

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** A new, empty database of the test schema (closed after the test). */
export async function freshDb(name = `kit-test-${++n}`): Promise<TestDb> {
  const db = await openAppDb(testSchema, name);
  opened.push(db);
  return db;
}

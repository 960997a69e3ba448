/**
 * The upgrade transaction (IndexedDB `versionchange`): creating an app's stores, and moving a
 * database of the version-1 layout into them. Version 1 (the first apps) kept a
 * key/value `state` store and a `logs` store keyed `[log, key]` with an `order` index on
 * `[log, seq]`; the app's `fromV1` says where each of its rows goes now. A database of a later
 * layout (version 2 on) gains the stores and indexes it lacks, loses those no longer declared, and
 * has its derived stores rebuilt from its rows (`upgradeInPlace`). Only IndexedDB requests are
 * awaited here: any other await would let the transaction commit half done.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import type { Schema, Snapshot, Stores, V1Snapshot } from './schema.js';
import { putRows, readRows } from './store-rows.js';

type UpgradeTx = IDBPTransaction<unknown, string[], 'versionchange'>;

/** Creates every store of `schema` with its indexes. */
export function createStores(db: IDBPDatabase, schema: Schema<Stores>): void {
  for (const [name, spec] of Object.entries(schema.stores)) {
    const store =
      spec.keyPath === undefined
        ? db.createObjectStore(name)
        : db.createObjectStore(name, { keyPath: spec.keyPath });
    for (const [index, def] of Object.entries(spec.indexes ?? {})) {
      store.createIndex(index, def.keyPath, { unique: def.unique ?? false });
    }
  }
}

interface V1LogRow {
  log: string;
  key: string;
  seq: number;
  value: unknown;
}

/** Every row of the version-1 stores, the logs in insertion order. */
async function readV1(tx: UpgradeTx): Promise<V1Snapshot> {
  const state = tx.objectStore('state');
  const [keys, values, rows] = await Promise.all([
    state.getAllKeys(),
    state.getAll(),
    tx.objectStore('logs').getAll() as Promise<V1LogRow[]>,
  ]);
  const log = (name: string): [string, unknown][] =>
    rows
      .filter((r) => r.log === name)
      .sort((a, b) => a.seq - b.seq)
      .map((r) => [r.key, r.value]);
  return {
    state: keys
      .map((key, i): [IDBValidKey, unknown] => [key, values[i]])
      .filter((row): row is [string, unknown] => typeof row[0] === 'string'),
    logs: { ledger: log('ledger'), history: log('history') },
  };
}

/**
 * The rows of `stores` with those of the schema's derived stores added, made from them (any rows
 * of a derived store in `stores` are replaced: a summary is never taken from elsewhere).
 */
export function withDerived(
  schema: Schema<Stores>,
  stores: Snapshot['stores'],
): Snapshot['stores'] {
  if (!schema.derive) return stores;
  const own = Object.fromEntries(
    Object.entries(stores).filter(([name]) => !schema.stores[name]?.derived),
  );
  return { ...own, ...schema.derive(own) };
}

/** Version 1 → this schema: read the old rows, replace the stores, write the rows anew. */
export async function upgradeFromV1(
  db: IDBPDatabase,
  tx: UpgradeTx,
  schema: Schema<Stores>,
): Promise<void> {
  const old = await readV1(tx);
  db.deleteObjectStore('state');
  db.deleteObjectStore('logs');
  createStores(db, schema);
  await putRows(tx, schema, withDerived(schema, schema.fromV1(old).stores));
}

/** Makes the stores and indexes of `schema` that `db` lacks; drops the indexes it no longer has. */
function alignStores(db: IDBPDatabase, tx: UpgradeTx, schema: Schema<Stores>): string[] {
  const created: string[] = [];
  for (const [name, spec] of Object.entries(schema.stores)) {
    if (!db.objectStoreNames.contains(name)) {
      created.push(name);
      continue;
    }
    const store = tx.objectStore(name);
    const wanted = spec.indexes ?? {};
    for (const index of [...store.indexNames]) {
      if (!Object.hasOwn(wanted, index)) store.deleteIndex(index);
    }
    for (const [index, def] of Object.entries(wanted)) {
      if (!store.indexNames.contains(index)) {
        store.createIndex(index, def.keyPath, { unique: def.unique ?? false });
      }
    }
  }
  createStores(db, { ...schema, stores: pick(schema.stores, created) });
  return created;
}

const pick = <T>(o: Record<string, T>, names: string[]): Record<string, T> & { meta: T } =>
  Object.fromEntries(names.map((n) => [n, o[n]!])) as Record<string, T> & { meta: T };

/**
 * Version 2 on → this schema, in place: the stores and indexes it lacks are made (IndexedDB
 * fills a new index from the rows already there), and the derived stores are rebuilt from every
 * other store's rows.
 */
export async function upgradeInPlace(
  db: IDBPDatabase,
  tx: UpgradeTx,
  schema: Schema<Stores>,
): Promise<void> {
  alignStores(db, tx, schema);
  if (!schema.derive) return;
  const names = Object.keys(schema.stores).filter((n) => !schema.stores[n]!.derived);
  const stores = await readRows(tx, names);
  const derived = Object.keys(schema.stores).filter((n) => schema.stores[n]!.derived);
  await Promise.all(derived.map((name) => tx.objectStore(name).clear()));
  await putRows(tx, schema, pick(withDerived(schema, stores), derived));
}

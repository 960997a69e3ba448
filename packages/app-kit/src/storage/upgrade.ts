/**
 * The upgrade transaction (IndexedDB `versionchange`): creating an app's stores, and moving a
 * database of the version-1 layout into them. Version 1 (the first apps) kept a
 * key/value `state` store and a `logs` store keyed `[log, key]` with an `order` index on
 * `[log, seq]`; the app's `fromV1` says where each of its rows goes now. Only IndexedDB requests
 * are awaited here: any other await would let the transaction commit half done.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import type { Schema, Stores, V1Snapshot } from './schema.js';

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
  const moved = schema.fromV1(old);
  const writes: Promise<unknown>[] = [];
  for (const [name, rows] of Object.entries(moved.stores)) {
    const store = tx.objectStore(name);
    const inline = schema.stores[name]?.keyPath !== undefined;
    for (const [key, value] of rows) {
      writes.push(inline ? store.put(value) : store.put(value, key as IDBValidKey));
    }
  }
  await Promise.all(writes);
}

/**
 * Every row of some stores read, and rows written, inside one IndexedDB transaction — the row
 * I/O that snapshots, restores and upgrades share. Only IndexedDB requests are awaited, so these
 * run inside an upgrade transaction too.
 */
import type { IDBPTransaction } from 'idb';
import type { Key, Schema, Snapshot, Stores } from './schema.js';

/**
 * Every row of `names`, `[primary key, value]` each, all requests placed at once. A binary key
 * comes back from IndexedDB as an ArrayBuffer: it is kept as the bytes it was stored as.
 */
export async function readRows(
  tx: IDBPTransaction<unknown, string[], IDBTransactionMode>,
  names: readonly string[],
): Promise<Snapshot['stores']> {
  const stores: Snapshot['stores'] = {};
  await Promise.all(
    names.map(async (name) => {
      const store = tx.objectStore(name);
      const [keys, values] = await Promise.all([store.getAllKeys(), store.getAll()]);
      stores[name] = keys.map((key, i): [Key, unknown] => [
        key instanceof ArrayBuffer ? new Uint8Array(key) : key,
        values[i],
      ]);
    }),
  );
  return stores;
}

/** Puts every row of `stores` (out-of-line keys where the store has no key path), all at once. */
export async function putRows(
  tx: IDBPTransaction<unknown, string[], 'readwrite' | 'versionchange'>,
  schema: Schema<Stores>,
  stores: Snapshot['stores'],
): Promise<void> {
  const writes: Promise<unknown>[] = [];
  try {
    for (const [name, rows] of Object.entries(stores)) {
      const store = tx.objectStore(name);
      const inline = schema.stores[name]?.keyPath !== undefined;
      for (const [key, value] of rows) {
        writes.push(inline ? store.put(value) : store.put(value, key as IDBValidKey));
      }
    }
  } catch (error) {
    // A row IndexedDB refuses at once (no key, not cloneable) throws here; the transaction then
    // aborts, and the writes already placed fail with it: handled, the row's error reported.
    for (const w of writes) w.catch(() => undefined);
    throw error;
  }
  await Promise.all(writes);
}

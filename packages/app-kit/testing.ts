/**
 * Test support for the apps (not bundled into them): the version-1 database writer, frozen as the
 * first apps created that layout, and the reader of fixture files written in tagged JSON. The
 * migration tests write a database exactly as the old apps left it, then open it with today's
 * schema.
 */
import { fromTaggedJson } from './src/serialize.js';

/** A version-1 database as dumped (test/fixtures/dump-v1.ts): every row of both stores. */
export interface V1Dump {
  name: string;
  version: 1;
  state: [string, unknown][];
  logs: { log: string; key: string; seq: number; value: unknown }[];
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * Writes `dump` as database `name` in the version-1 layout — the stores and index the first apps'
 * `openAppDb` created (`state` with out-of-line keys; `logs` keyed `[log, key]` with the unique
 * index `order` on `[log, seq]`) — and closes it. A database of that name is deleted first. The
 * vault's record names its database: open the dump under its own name to unlock it.
 */
export async function writeV1Database(dump: V1Dump, name: string = dump.name): Promise<void> {
  await done(indexedDB.deleteDatabase(name));
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore('state');
    const logs = open.result.createObjectStore('logs', { keyPath: ['log', 'key'] });
    logs.createIndex('order', ['log', 'seq'], { unique: true });
  };
  const db = await done(open);
  const tx = db.transaction(['state', 'logs'], 'readwrite');
  for (const [key, value] of dump.state) tx.objectStore('state').put(value, key);
  for (const row of dump.logs) tx.objectStore('logs').put(row);
  await new Promise<void>((ok, fail) => {
    tx.oncomplete = () => ok();
    tx.onerror = () => fail(tx.error ?? new Error('IndexedDB transaction failed'));
  });
  db.close();
}

/** A fixture file's contents (tagged JSON: bytes, bigints and dates survive). */
export function readFixture<T>(text: string): T {
  return fromTaggedJson(JSON.parse(text)) as T;
}

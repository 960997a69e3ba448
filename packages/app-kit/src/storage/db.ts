/**
 * An app's IndexedDB (through `idb`), typed by its schema (schema.ts): reads parse every row,
 * writes are lists of operations applied in one transaction — all or nothing, so a payment is
 * never half-recorded. Values are stored by structured clone (Uint8Array survives). Secrets never
 * go here in the clear: they live in the vault record, encrypted (vault.ts).
 */
import { openDB, unwrap, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { AppError } from '../errors.js';
import { ShapeError } from '../parse.js';
import type {
  Key,
  Query,
  Schema,
  Snapshot,
  StoreSpec,
  Stores,
  ValueOf,
  WriteOp,
} from './schema.js';
import { putRows, readRows } from './store-rows.js';
import { createStores, upgradeFromV1, upgradeInPlace, withDerived } from './upgrade.js';

/** The meta key of the encrypted vault record; snapshots leave it out (backups re-encrypt). */
export const VAULT_KEY = 'vault';

/** An open app database. Every method: @throws AppError APP_STORAGE_FAILED */
export interface Db<S extends Stores> {
  readonly name: string;
  readonly schema: Schema<S>;
  /** The record under `key`, parsed; undefined when absent or damaged. */
  get<N extends keyof S & string>(store: N, key: Key): Promise<ValueOf<S, N> | undefined>;
  /** The records in key order (within `query`), damaged ones left out. */
  all<N extends keyof S & string>(store: N, query?: Query): Promise<ValueOf<S, N>[]>;
  /** The records of `index` in index order (within `query`), damaged ones left out. */
  byIndex<N extends keyof S & string>(
    store: N,
    index: string,
    query?: Query,
  ): Promise<ValueOf<S, N>[]>;
  /**
   * The records of `query` (in `index`, if given) as `all`/`byIndex` read them, and how many rows
   * were stored there, damaged ones included — one request where `all` + `count` are two.
   */
  counted<N extends keyof S & string>(
    store: N,
    query?: Query,
    index?: string,
  ): Promise<{ rows: ValueOf<S, N>[]; stored: number }>;
  /** How many rows `query` names (in `index`, if given), damaged ones included. */
  count<N extends keyof S & string>(store: N, query?: Query, index?: string): Promise<number>;
  /** The record with the greatest key (within `query`), parsed; undefined when none or damaged. */
  last<N extends keyof S & string>(store: N, query?: Query): Promise<ValueOf<S, N> | undefined>;
  /** Every op in one readwrite transaction: all or nothing. */
  write(ops: readonly WriteOp<S>[]): Promise<void>;
  /**
   * Runs `body` in ONE readwrite transaction over `stores`: its reads see one state and its
   * writes land together with them, or not at all (a throw aborts the transaction and is
   * rethrown as it is). One transaction instead of one per read: each costs a browser round trip,
   * the most of a payment's time on a slow phone (docs/PERFORMANCE.md "Devices").
   * `body` may await only this transaction's own requests: awaiting anything else (WebCrypto, a
   * timer, another transaction) lets IndexedDB commit it early, and the next request fails.
   */
  transaction<T>(
    stores: readonly (keyof S & string)[],
    body: (tx: DbTx<S>) => Promise<T>,
  ): Promise<T>;
  /** Every row of every store except the vault record and the derived stores, for backups. */
  snapshot(): Promise<Snapshot>;
  /**
   * Replaces every store with `snapshot` (the derived stores rebuilt from it) and applies
   * `alsoWrite`, in one transaction (restore).
   */
  replaceAll(snapshot: Snapshot, alsoWrite?: readonly WriteOp<S>[]): Promise<void>;
  close(): void;
}

/** The reads and writes of one transaction ({@link Db.transaction}); the reads parse as Db's do. */
export type DbTx<S extends Stores> = Pick<
  Db<S>,
  'name' | 'get' | 'all' | 'byIndex' | 'count' | 'counted' | 'last'
> & {
  /** Applies `ops` in this transaction (they land when it commits). */
  write(ops: readonly WriteOp<S>[]): Promise<void>;
  /**
   * From now on, every `get('meta', key)` of this transaction is answered from ONE read of the
   * whole meta store (made at the first of them; this transaction's own meta writes keep it
   * current): a payment's six singletons — clock, pinned keys, revocations, head, cap, current
   * request — cost one request instead of six. For transactions that read several meta rows; the
   * meta store holds singletons only (a few kilobytes).
   */
  metaAtOnce(): void;
};

/**
 * Like `Promise.all`, but when several reject, the error thrown is the first IN ORDER (not the
 * first in time): reads issued together inside one transaction keep the precedence of their
 * refusals that they had when made one after the other.
 */
export async function allInOrder<T extends readonly unknown[]>(
  values: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(values);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** What the kit's own modules (vault, clock, trust, session) need of any app's database. */
export interface MetaDb {
  readonly name: string;
  get(store: 'meta', key: string): Promise<unknown>;
  /** Any writes: the kit's own are {@link MetaOp}s, the app's may join them in one transaction. */
  write(ops: readonly WriteOp<Stores>[]): Promise<void>;
}

type AnyOp =
  { put: string; value: unknown; key?: Key } | { delete: string; key: Query } | { clear: string };
/** What idb's typings take: ours also name a Uint8Array over any buffer as a binary key. */
const idbKey = (q: Query | undefined) => q as IDBValidKey | IDBKeyRange | undefined;
type Tx = IDBPTransaction<unknown, string[], 'readwrite'>;

/** APP_STORAGE_FAILED naming the DOMException (QuotaExceededError, ConstraintError…), no value. */
export function storageFailed(error: unknown, reading = false): AppError {
  if (error instanceof AppError) return error;
  const reason = error instanceof Error ? error.name : 'unknown';
  return reading
    ? new AppError('APP_STORAGE_FAILED', "The browser's storage could not be read.", { reason })
    : new AppError('APP_STORAGE_FAILED', undefined, { reason });
}

const storeOf = (op: AnyOp): string =>
  'put' in op ? op.put : 'delete' in op ? op.delete : op.clear;

/**
 * Places every op's request at once: IndexedDB runs a transaction's requests in the order they
 * were placed, so the outcome is that of one after the other, without a round trip per op.
 * `place` makes one op's request and returns its outcome as a promise.
 */
async function placeAll(
  ops: readonly AnyOp[],
  place: (op: AnyOp) => Promise<unknown>,
): Promise<void> {
  const requests: Promise<unknown>[] = [];
  try {
    for (const op of ops) requests.push(place(op));
  } catch (error) {
    // A value the browser cannot store (DataCloneError) throws at once; the transaction is then
    // aborted, and the requests already placed fail with it: handled here.
    for (const r of requests) r.catch(() => undefined);
    throw error;
  }
  await Promise.all(requests);
}

/** {@link placeAll} on an idb transaction. */
function apply(tx: Tx, ops: readonly AnyOp[]): Promise<void> {
  return placeAll(ops, (op) => {
    const store = tx.objectStore(storeOf(op));
    if ('put' in op) {
      return op.key === undefined ? store.put(op.value) : store.put(op.value, idbKey(op.key));
    }
    return 'delete' in op ? store.delete(idbKey(op.key)!) : store.clear();
  });
}

/** Runs `body` in one readwrite transaction over `stores`; aborts it on any failure. */
async function transact(db: IDBPDatabase, stores: string[], body: (tx: Tx) => Promise<void>) {
  let tx: Tx | undefined;
  let done: Promise<void> | undefined;
  try {
    tx = db.transaction(stores, 'readwrite');
    done = tx.done;
    // Marked handled now: an aborted transaction rejects `done` while `body` is still failing.
    done.catch(() => undefined);
    await body(tx);
    await done;
  } catch (error) {
    try {
      tx?.abort();
    } catch {
      // Already finished or aborted: nothing was committed by this transaction.
    }
    await done?.catch(() => undefined);
    throw storageFailed(error);
  }
}

/**
 * Checks a snapshot against the schema: known stores, `[key, value]` pairs, no vault record, and
 * every row one its store's parser reads. @throws ShapeError naming the store, never a value
 */
export function checkSnapshot(schema: Schema<Stores>, snapshot: Snapshot): void {
  const stores = (snapshot as Partial<Snapshot> | undefined)?.stores;
  if (typeof stores !== 'object' || stores === null) throw new ShapeError('db has no stores');
  for (const [name, rows] of Object.entries(stores)) {
    const spec = Object.hasOwn(schema.stores, name) ? schema.stores[name] : undefined;
    if (!spec) throw new ShapeError(`store ${name} is not one of this app's`);
    if (spec.derived) throw new ShapeError(`store ${name} is rebuilt, never restored`);
    if (!Array.isArray(rows)) throw new ShapeError(`store ${name} is not a list`);
    for (const row of rows) {
      if (!Array.isArray(row) || row.length !== 2)
        throw new ShapeError(`a row of ${name} is not a pair`);
      if (name === 'meta' && (typeof row[0] !== 'string' || row[0] === VAULT_KEY)) {
        throw new ShapeError('a meta row has an unusable key');
      }
      if (spec.parse(row[1]) === undefined) throw new ShapeError(`a row of ${name} is damaged`);
    }
  }
}

/** An object store as the readers use it: idb's, in its own transaction or in a shared one. */
interface StoreReader {
  get(key: IDBValidKey | IDBKeyRange): Promise<unknown>;
  getAll(query?: IDBValidKey | IDBKeyRange): Promise<unknown[]>;
  count(query?: IDBValidKey | IDBKeyRange): Promise<number>;
  index(name: string): Pick<StoreReader, 'getAll' | 'count'>;
  openCursor(
    query?: IDBValidKey | IDBKeyRange | null,
    direction?: IDBCursorDirection,
  ): Promise<{ value: unknown } | null>;
}

/** The parsed reads of Db, over `storeFor` (a store per call, or a store of one transaction). */
abstract class Reader<S extends Stores> {
  constructor(readonly schema: Schema<S>) {}

  get name(): string {
    return this.schema.name;
  }

  protected abstract store(name: string): StoreReader;

  protected async read<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storageFailed(error, true);
    }
  }

  private parse<N extends keyof S & string>(store: N, row: unknown): ValueOf<S, N> | undefined {
    return (this.schema.stores[store] as StoreSpec<unknown>).parse(row) as
      ValueOf<S, N> | undefined;
  }

  private parseAll<N extends keyof S & string>(store: N, rows: unknown[]): ValueOf<S, N>[] {
    const out: ValueOf<S, N>[] = [];
    for (const row of rows) {
      const value = this.parse(store, row);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  async get<N extends keyof S & string>(store: N, key: Key) {
    const row: unknown = await this.read(() => this.store(store).get(idbKey(key)!));
    return row === undefined ? undefined : this.parse(store, row);
  }

  async all<N extends keyof S & string>(store: N, query?: Query) {
    return this.parseAll(store, await this.read(() => this.store(store).getAll(idbKey(query))));
  }

  async byIndex<N extends keyof S & string>(store: N, index: string, query?: Query) {
    return this.parseAll(
      store,
      await this.read(() => this.store(store).index(index).getAll(idbKey(query))),
    );
  }

  async counted<N extends keyof S & string>(store: N, query?: Query, index?: string) {
    const rows = await this.read(() =>
      index === undefined
        ? this.store(store).getAll(idbKey(query))
        : this.store(store).index(index).getAll(idbKey(query)),
    );
    return { rows: this.parseAll(store, rows), stored: rows.length };
  }

  async last<N extends keyof S & string>(store: N, query?: Query) {
    const cursor = await this.read(() => this.store(store).openCursor(idbKey(query), 'prev'));
    return cursor === null ? undefined : this.parse(store, cursor.value);
  }

  count<N extends keyof S & string>(store: N, query?: Query, index?: string): Promise<number> {
    return this.read(() =>
      index === undefined
        ? this.store(store).count(idbKey(query))
        : this.store(store).index(index).count(idbKey(query)),
    );
  }
}

/** Checks that every store a write names is one of the schema's. @throws TypeError */
function storesOf(schema: Schema<Stores>, ops: readonly AnyOp[]): string[] {
  const stores = [...new Set(ops.map(storeOf))];
  for (const name of stores) {
    if (!Object.hasOwn(schema.stores, name)) throw new TypeError(`write: no store ${name}`);
  }
  return stores;
}

/** An IDBRequest as a promise: its own handlers, no listeners to add and remove (idb's cost). */
function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('request failed'));
  });
}

/** A store of one raw transaction, read with {@link settle}. */
function rawStore(store: IDBObjectStore): StoreReader {
  const source = (s: IDBObjectStore | IDBIndex): Pick<StoreReader, 'getAll' | 'count'> => ({
    getAll: (query) => settle(s.getAll(query)),
    count: (query) => settle(s.count(query)),
  });
  return {
    ...source(store),
    get: (key) => settle(store.get(key)),
    index: (name) => source(store.index(name)),
    openCursor: (query, direction) => settle(store.openCursor(query, direction)),
  };
}

/** Every row of a store with its key, in key order: one request where the browser has one. */
async function records(store: IDBObjectStore): Promise<[IDBValidKey, unknown][]> {
  const withRecords = store as IDBObjectStore & {
    getAllRecords?: () => IDBRequest<{ key: IDBValidKey; value: unknown }[]>;
  };
  if (typeof withRecords.getAllRecords === 'function') {
    const rows = await settle(withRecords.getAllRecords());
    return rows.map((r) => [r.key, r.value]);
  }
  // Two requests placed together: they run in order, with nothing written between them.
  const [keys, values] = await Promise.all([settle(store.getAllKeys()), settle(store.getAll())]);
  return keys.map((key, i) => [key, values[i]]);
}

/**
 * The reads and writes of one readwrite transaction (Db.transaction), on the raw IDBTransaction:
 * a payment's requests are placed with their own handlers, without idb's wrapping per request.
 */
class TxView<S extends Stores> extends Reader<S> implements DbTx<S> {
  // One object, reached through the prototype by wrappers made with Object.create (tests' watchers).
  private readonly meta: { atOnce: boolean; rows?: Promise<Map<unknown, unknown>> } = {
    atOnce: false,
  };

  constructor(
    schema: Schema<S>,
    private readonly tx: IDBTransaction,
  ) {
    super(schema);
  }

  protected store(name: string): StoreReader {
    return rawStore(this.tx.objectStore(name));
  }

  metaAtOnce(): void {
    this.meta.atOnce = true;
  }

  override async get<N extends keyof S & string>(store: N, key: Key) {
    if (store !== 'meta' || !this.meta.atOnce || typeof key !== 'string') {
      return super.get(store, key);
    }
    this.meta.rows ??= this.read(async () => new Map(await records(this.tx.objectStore('meta'))));
    const row = (await this.meta.rows).get(key);
    return row === undefined
      ? undefined
      : ((this.schema.stores[store] as StoreSpec<unknown>).parse(row) as ValueOf<S, N> | undefined);
  }

  async write(ops: readonly WriteOp<S>[]): Promise<void> {
    storesOf(this.schema, ops);
    try {
      await applyRaw(this.tx, ops);
    } catch (error) {
      throw storageFailed(error);
    }
    // What this transaction reads of meta from now on includes what it just wrote.
    const meta = await this.meta.rows?.catch(() => undefined);
    if (!meta) return;
    for (const op of ops as readonly AnyOp[]) {
      if ('put' in op && op.put === 'meta') meta.set(op.key, op.value);
      else if ('delete' in op && op.delete === 'meta') {
        if (op.key instanceof IDBKeyRange) delete this.meta.rows;
        else meta.delete(op.key);
      } else if ('clear' in op && op.clear === 'meta') meta.clear();
    }
  }
}

/** {@link placeAll} on a raw transaction. */
function applyRaw(tx: IDBTransaction, ops: readonly AnyOp[]): Promise<void> {
  return placeAll(ops, (op) => {
    const store = tx.objectStore(storeOf(op));
    if ('put' in op) {
      return settle(
        op.key === undefined ? store.put(op.value) : store.put(op.value, op.key as IDBValidKey),
      );
    }
    return settle('delete' in op ? store.delete(idbKey(op.key)!) : store.clear());
  });
}

class IdbDb<S extends Stores> extends Reader<S> implements Db<S> {
  constructor(
    schema: Schema<S>,
    private readonly db: IDBPDatabase,
  ) {
    super(schema);
  }

  /** The store in a readonly transaction of its own (one per read, as idb's shortcuts do). */
  protected store(name: string): StoreReader {
    return this.db.transaction(name, 'readonly').store;
  }

  async write(ops: readonly WriteOp<S>[]): Promise<void> {
    if (ops.length === 0) return;
    const stores = storesOf(this.schema, ops);
    await transact(this.db, stores, (tx) => apply(tx, ops));
  }

  async transaction<T>(
    stores: readonly (keyof S & string)[],
    body: (tx: DbTx<S>) => Promise<T>,
  ): Promise<T> {
    let tx: Tx;
    try {
      tx = this.db.transaction([...stores], 'readwrite');
    } catch (error) {
      throw storageFailed(error);
    }
    const done = tx.done;
    // Marked handled now: an aborted transaction rejects `done` while `body` is still failing.
    done.catch(() => undefined);
    let result: T;
    try {
      result = await body(new TxView(this.schema, unwrap(tx)));
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already finished or aborted: nothing was committed by this transaction.
      }
      throw error;
    }
    try {
      await done;
    } catch (error) {
      throw storageFailed(error);
    }
    return result;
  }

  async snapshot(): Promise<Snapshot> {
    return this.read(async () => {
      const names = Object.keys(this.schema.stores).filter((n) => !this.schema.stores[n]!.derived);
      const tx = this.db.transaction(names, 'readonly');
      const stores = await readRows(tx, names);
      if (stores['meta']) stores['meta'] = stores['meta'].filter(([key]) => key !== VAULT_KEY);
      await tx.done;
      return { stores };
    });
  }

  async replaceAll(snapshot: Snapshot, alsoWrite: readonly WriteOp<S>[] = []): Promise<void> {
    checkSnapshot(this.schema, snapshot);
    const names = Object.keys(this.schema.stores);
    await transact(this.db, names, async (tx) => {
      await Promise.all(names.map((name) => tx.objectStore(name).clear()));
      await putRows(tx, this.schema, withDerived(this.schema, snapshot.stores));
      await apply(tx, alsoWrite);
    });
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Opens (creating on first use) the app's database. A database of an older layout is migrated
 * in the upgrade transaction: all of it or, when anything fails, none of it (the old data stays).
 * @throws AppError APP_STORAGE_FAILED when the browser refuses IndexedDB (some private modes)
 */
export async function openAppDb<S extends Stores>(
  schema: Schema<S>,
  name: string = schema.name,
): Promise<Db<S>> {
  let db: IDBPDatabase;
  try {
    db = await openDB(name, schema.version, {
      upgrade(database, oldVersion, _newVersion, tx) {
        // A failed upgrade aborts its transaction: the open request reports it (caught below).
        tx.done.catch(() => undefined);
        if (oldVersion === 0) return createStores(database, schema);
        const upgrade = oldVersion === 1 ? upgradeFromV1 : upgradeInPlace;
        upgrade(database, tx, schema).catch(() => {
          try {
            tx.abort();
          } catch {
            // Already aborted by the failing request.
          }
        });
      },
      // A newer version of the app opened in another tab: let it upgrade.
      blocking() {
        db.close();
      },
    });
  } catch (error) {
    throw storageFailed(error);
  }
  return new IdbDb({ ...schema, name }, db);
}

/** Asks the browser to keep this origin's storage (navigator.storage.persist). Never throws. */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    const storage = (globalThis as { navigator?: { storage?: Partial<StorageManager> } }).navigator
      ?.storage;
    if (typeof storage?.persist !== 'function') return false;
    if (typeof storage.persisted === 'function' && (await storage.persisted())) return true;
    return await storage.persist();
  } catch {
    return false;
  }
}

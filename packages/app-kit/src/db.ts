/**
 * The app's IndexedDB (through `idb`): a key/value store for state and append-only logs
 * (ledger, history), written in single transactions so a payment is never half-recorded.
 * Values are stored by structured clone (Uint8Array survives). Secrets never go here in the
 * clear: they live in the vault record, encrypted (vault.ts).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import { AppError } from './errors.js';

/** Names of the append-only logs. */
export type LogName = 'ledger' | 'history';

/** One write; `AppDb.write` applies a list of them atomically. */
export type WriteOp =
  | { put: string; value: unknown }
  | { delete: string }
  /** Adds or replaces the record `key` of a log (history items change state; ledger entries never do). */
  | { log: LogName; key: string; value: unknown };

export interface AppDb {
  readonly name: string;
  get<T>(key: string): Promise<T | undefined>;
  /** Every op in one readwrite transaction: all or nothing. @throws AppError APP_STORAGE_FAILED */
  write(ops: readonly WriteOp[]): Promise<void>;
  /** A log's records in insertion order. */
  list<T>(log: LogName): Promise<T[]>;
  /** One record of a log by its key (what `{log, key, value}` wrote), or undefined. */
  record<T>(log: LogName, key: string): Promise<T | undefined>;
  /** Every key/value pair (except the vault record) and every log, for backups. */
  snapshot(): Promise<DbSnapshot>;
  /**
   * Replaces the whole database with a snapshot in one transaction (restore), applying
   * `alsoWrite` in the same transaction (the restored vault record).
   * @throws AppError APP_STORAGE_FAILED (nothing changed)
   */
  replaceAll(snapshot: DbSnapshot, alsoWrite?: readonly WriteOp[]): Promise<void>;
  close(): void;
}

export interface DbSnapshot {
  state: [string, unknown][];
  logs: Record<LogName, [string, unknown][]>;
}

/** The state key of the encrypted vault record; snapshots leave it out (backups re-encrypt). */
export const VAULT_KEY = 'vault';

/** Every log name. */
export const LOG_NAMES: readonly LogName[] = ['ledger', 'history'];

interface LogRecord {
  log: LogName;
  key: string;
  /** Insertion position, kept when the record is replaced. */
  seq: number;
  value: unknown;
}

interface Schema extends DBSchema {
  state: { key: string; value: unknown };
  logs: { key: [string, string]; value: LogRecord; indexes: { order: [string, number] } };
}

type WriteTx = IDBPTransaction<Schema, ['state', 'logs'], 'readwrite'>;

const DB_VERSION = 1;
const STORES = ['state', 'logs'] as const;

function storageFailed(error: unknown, reading = false): AppError {
  if (error instanceof AppError) return error;
  // The DOMException name (QuotaExceededError, DataCloneError...) says why without any value.
  const reason = error instanceof Error ? error.name : 'unknown';
  return reading
    ? new AppError('APP_STORAGE_FAILED', "The browser's storage could not be read.", { reason })
    : new AppError('APP_STORAGE_FAILED', undefined, { reason });
}

function orderRange(log: LogName): IDBKeyRange {
  return IDBKeyRange.bound([log, 0], [log, Number.MAX_SAFE_INTEGER]);
}

function checkOp(op: WriteOp): void {
  const o = op as Partial<Record<'put' | 'delete' | 'log' | 'key', unknown>>;
  const ok =
    'put' in op
      ? typeof o.put === 'string'
      : 'delete' in op
        ? typeof o.delete === 'string'
        : 'log' in op && LOG_NAMES.includes(o.log as LogName) && typeof o.key === 'string';
  if (!ok) throw new TypeError('write: each op is {put, value}, {delete} or {log, key, value}');
}

/** Applies ops inside `tx`; `next` caches each log's next insertion position. */
async function apply(tx: WriteTx, ops: readonly WriteOp[]): Promise<void> {
  const state = tx.objectStore('state');
  const logs = tx.objectStore('logs');
  const next = new Map<LogName, number>();
  for (const op of ops) {
    if ('put' in op) await state.put(op.value, op.put);
    else if ('delete' in op) await state.delete(op.delete);
    else {
      const existing = await logs.get([op.log, op.key]);
      let seq = existing?.seq ?? next.get(op.log);
      if (seq === undefined) {
        const last = await logs.index('order').openCursor(orderRange(op.log), 'prev');
        seq = (last?.value.seq ?? 0) + 1;
      }
      if (!existing) next.set(op.log, seq + 1);
      await logs.put({ log: op.log, key: op.key, seq, value: op.value });
    }
  }
}

/** Runs `body` in one readwrite transaction over both stores; aborts it on any failure. */
async function transact(
  db: IDBPDatabase<Schema>,
  body: (tx: WriteTx) => Promise<void>,
): Promise<void> {
  let tx: WriteTx | undefined;
  let done: Promise<void> | undefined;
  try {
    tx = db.transaction(STORES, 'readwrite');
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

function checkSnapshot(snapshot: DbSnapshot): void {
  const pairs = (value: unknown) =>
    Array.isArray(value) &&
    value.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string');
  if (
    typeof snapshot !== 'object' ||
    snapshot === null ||
    !pairs(snapshot.state) ||
    typeof snapshot.logs !== 'object' ||
    snapshot.logs === null ||
    !LOG_NAMES.every((log) => pairs(snapshot.logs[log]))
  ) {
    throw new TypeError('replaceAll: snapshot must be {state: [key, value][], logs: {...}}');
  }
  if (snapshot.state.some(([key]) => key === VAULT_KEY)) {
    throw new TypeError('replaceAll: a snapshot never holds the vault record');
  }
}

class IdbAppDb implements AppDb {
  constructor(
    readonly name: string,
    private readonly db: IDBPDatabase<Schema>,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    try {
      return (await this.db.get('state', key)) as T | undefined;
    } catch (error) {
      throw storageFailed(error, true);
    }
  }

  async write(ops: readonly WriteOp[]): Promise<void> {
    ops.forEach(checkOp);
    if (ops.length === 0) return;
    await transact(this.db, (tx) => apply(tx, ops));
  }

  async list<T>(log: LogName): Promise<T[]> {
    if (!LOG_NAMES.includes(log)) throw new TypeError('list: unknown log');
    try {
      const rows = await this.db.getAllFromIndex('logs', 'order', orderRange(log));
      return rows.map((row) => row.value as T);
    } catch (error) {
      throw storageFailed(error, true);
    }
  }

  async record<T>(log: LogName, key: string): Promise<T | undefined> {
    if (!LOG_NAMES.includes(log)) throw new TypeError('record: unknown log');
    try {
      return (await this.db.get('logs', [log, key]))?.value as T | undefined;
    } catch (error) {
      throw storageFailed(error, true);
    }
  }

  async snapshot(): Promise<DbSnapshot> {
    try {
      const tx = this.db.transaction(STORES, 'readonly');
      const state = tx.objectStore('state');
      const [keys, values] = await Promise.all([state.getAllKeys(), state.getAll()]);
      const order = tx.objectStore('logs').index('order');
      const [ledger, history] = await Promise.all(
        LOG_NAMES.map((log) => order.getAll(orderRange(log))),
      );
      await tx.done;
      return {
        state: keys
          .map((key, i): [string, unknown] => [key, values[i]])
          .filter(([key]) => key !== VAULT_KEY),
        logs: {
          ledger: (ledger ?? []).map((r): [string, unknown] => [r.key, r.value]),
          history: (history ?? []).map((r): [string, unknown] => [r.key, r.value]),
        },
      };
    } catch (error) {
      throw storageFailed(error, true);
    }
  }

  async replaceAll(snapshot: DbSnapshot, alsoWrite: readonly WriteOp[] = []): Promise<void> {
    checkSnapshot(snapshot);
    alsoWrite.forEach(checkOp);
    await transact(this.db, async (tx) => {
      const state = tx.objectStore('state');
      const logs = tx.objectStore('logs');
      await Promise.all([state.clear(), logs.clear()]);
      for (const [key, value] of snapshot.state) await state.put(value, key);
      for (const log of LOG_NAMES) {
        const ops = snapshot.logs[log].map(([key, value]): WriteOp => ({ log, key, value }));
        await apply(tx, ops);
      }
      await apply(tx, alsoWrite);
    });
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Opens (creating on first use) the database `name` — one per app ("offpay-sender", …).
 * @throws AppError APP_STORAGE_FAILED when the browser refuses IndexedDB (some private modes)
 */
export async function openAppDb(name: string): Promise<AppDb> {
  let db: IDBPDatabase<Schema>;
  try {
    db = await openDB<Schema>(name, DB_VERSION, {
      upgrade(database) {
        database.createObjectStore('state');
        const logs = database.createObjectStore('logs', { keyPath: ['log', 'key'] });
        logs.createIndex('order', ['log', 'seq'], { unique: true });
      },
      // A newer version of the app opened in another tab: let it upgrade.
      blocking() {
        db.close();
      },
    });
  } catch (error) {
    throw storageFailed(error);
  }
  return new IdbAppDb(name, db);
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

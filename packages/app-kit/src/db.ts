/**
 * The app's IndexedDB (through `idb`): a key/value store for state and append-only logs
 * (ledger, history), written in single transactions so a payment is never half-recorded.
 * Values are stored by structured clone (Uint8Array survives). Secrets never go here in the
 * clear: they live in the vault record, encrypted (vault.ts).
 */

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
  /** Every key/value pair and every log, for backups. */
  snapshot(): Promise<DbSnapshot>;
  /** Replaces the whole database with a snapshot in one transaction (restore). */
  replaceAll(snapshot: DbSnapshot): Promise<void>;
  close(): void;
}

export interface DbSnapshot {
  state: [string, unknown][];
  logs: Record<LogName, [string, unknown][]>;
}

/** Opens (creating on first use) the database `name` — one per app ("offpay-sender", …). */
export function openAppDb(name: string): Promise<AppDb> {
  void name;
  throw new Error('app-kit: openAppDb not implemented yet');
}

/** Asks the browser to keep this origin's storage (navigator.storage.persist). Never throws. */
export function requestPersistentStorage(): Promise<boolean> {
  throw new Error('app-kit: requestPersistentStorage not implemented yet');
}

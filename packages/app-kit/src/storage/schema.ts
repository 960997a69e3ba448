/**
 * An app's IndexedDB schema, declared once: its object stores, their key paths and indexes, the
 * parser every row read back goes through (a row is outside input: another tab, an older app, a
 * damaged or edited database), and how a database of the version-1 layout becomes these stores.
 * `openAppDb(schema)` (db.ts) creates the stores and runs the migration in `upgrade()`.
 */

/** One index of a store (IndexedDB `createIndex`). */
export interface IndexSpec {
  keyPath: string | string[];
  unique?: boolean;
}

/** One object store. */
export interface StoreSpec<V> {
  /** The in-line key path; absent for the `meta` store, whose keys come with each write. */
  keyPath?: string | string[];
  indexes?: Record<string, IndexSpec>;
  /** A row read back, checked like outside input; undefined when it is damaged. */
  parse(row: unknown): V | undefined;
  /**
   * A store of summaries the schema's `derive` makes from the other stores' rows (a payer's
   * total): left out of snapshots and backups, rebuilt whenever rows come from elsewhere — an
   * upgrade, a restore — so a summary never disagrees with the rows it sums.
   */
  derived?: boolean;
}

/** Every store of a schema by name; each schema has a `meta` store of singletons by name. */
export type Stores = { meta: StoreSpec<unknown> } & Record<string, StoreSpec<unknown>>;

/** The record type of store `N`. */
export type ValueOf<S extends Stores, N extends keyof S> =
  S[N] extends StoreSpec<infer V> ? V : never;

/** A key, as IndexedDB takes them (binary keys as any Uint8Array). */
export type Key = IDBValidKey | Uint8Array;

/** A key or key range. */
export type Query = Key | IDBKeyRange;

/** One write; `Db.write` applies a list of them in one transaction. */
export type WriteOp<S extends Stores> = {
  [N in keyof S & string]:
    { put: N; value: ValueOf<S, N>; key?: Key } | { delete: N; key: Query } | { clear: N };
}[keyof S & string];

/** A write to the `meta` store, the one store every schema has. */
export type MetaOp = { put: 'meta'; key: string; value: unknown } | { delete: 'meta'; key: string };

/** Every row of every store, `[primary key, value]` each (backups; restore). */
export interface Snapshot {
  stores: Record<string, [Key, unknown][]>;
}

/**
 * A database of the version-1 layout: a key/value `state` store and two append-only logs, the
 * `ledger` and the `history`, in insertion order — also the `db` of a version-1 backup file.
 */
export interface V1Snapshot {
  state: [string, unknown][];
  logs: { ledger: [string, unknown][]; history: [string, unknown][] };
}

/** An app's database. */
export interface Schema<S extends Stores> {
  /** The database name ("offpay-sender", "offpay-receiver"); backups and vaults name it. */
  readonly name: string;
  /** The IndexedDB version of this layout (2: the first with these stores). */
  readonly version: number;
  readonly stores: S;
  /**
   * The rows of a version-1 database (or backup) in these stores — nothing of it lost. Pure:
   * it runs inside the upgrade transaction, where only IndexedDB requests may be awaited.
   */
  fromV1(old: V1Snapshot): Snapshot;
  /**
   * The rows of the derived stores, made from the other stores' rows (a snapshot without them).
   * Pure, like `fromV1`: it runs inside the upgrade transaction too.
   */
  derive?(stores: Snapshot['stores']): Snapshot['stores'];
}

/** Checks a schema's names once, so a typo fails at start rather than at the first write. */
export function defineSchema<S extends Stores>(schema: Schema<S>): Schema<S> {
  if (schema.stores.meta.keyPath !== undefined) {
    throw new TypeError('schema: the meta store has out-of-line keys');
  }
  for (const [name, spec] of Object.entries(schema.stores)) {
    if (!/^[a-z][A-Za-z]*$/.test(name)) throw new TypeError(`schema: store name ${name}`);
    if (spec.derived && !schema.derive) throw new TypeError(`schema: nothing derives ${name}`);
    if (name !== 'meta' && spec.keyPath === undefined) {
      throw new TypeError(`schema: store ${name} needs a key path`);
    }
  }
  return schema;
}

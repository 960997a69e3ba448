/**
 * The database seam every repository takes: a {@link Queryable} is a pool, a dedicated
 * transaction client or an embedded PGlite, and rows come back already normalised (see
 * `types.ts`: `bigint` columns as `bigint`, `bytea` as `Uint8Array`, `numeric` as a decimal string).
 */

/** A result row: column name → normalised value. */
export type Row = Record<string, unknown>;

/**
 * A statement the `pg` driver prepares once per connection under `name` and then only binds and
 * executes: Postgres parses, analyses and plans it once per connection instead of on every call
 * (see `statements.ts`). PGlite runs its text as it runs any other.
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/** SQL text, or a {@link NamedStatement}. */
export type Statement = string | NamedStatement;

/** Something SQL can run on. Repositories accept this and nothing wider. */
export interface Queryable {
  /** Runs one statement with `$1…$n` parameters and returns its rows. */
  query<R extends object = Row>(statement: Statement, params?: readonly unknown[]): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A whole database: a {@link Queryable} that can also open transactions and be closed. */
export interface Database extends Queryable {
  /** `pg` for a Postgres server, `pglite` for the embedded one. */
  readonly kind: 'pg' | 'pglite';
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws (and rethrows).
   * Use only the `tx` it receives inside `fn`: on PGlite, a query on the outer database waits
   * for the transaction to end, so it would never finish.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Closes every connection; the database cannot be used afterwards. */
  close(): Promise<void>;
}

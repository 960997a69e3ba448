/** {@link Database} over a Postgres server through a `pg` connection pool. */
import pg from 'pg';
import { isCachedPlanInvalid } from './errors.js';
import type { Database, Queryable, Row, Statement } from './queryable.js';
import { TEXT_PARSERS } from './types.js';

/** Options for {@link createPgDatabase}. */
export interface PgDatabaseOptions {
  /** Pool size per bank instance. */
  max?: number;
  /** Called when an idle pooled connection fails (the pool drops it and carries on). */
  onIdleError?: (err: Error) => void;
  /**
   * `application_name` of the connections (in `pg_stat_activity`); an `application_name` in the
   * URL wins. Default `offpay-bank`.
   */
  applicationName?: string;
}

// Per-pool type parsers: never `pg.types.setTypeParser`, which would change every pool in the
// process, including ones we do not own.
const fallbackParser = pg.types.getTypeParser as (
  oid: number,
  format?: string,
) => (text: string) => unknown;
const types = {
  getTypeParser: (oid: number, format?: string) =>
    (format !== 'binary' && TEXT_PARSERS[oid]) || fallbackParser(oid, format),
} as unknown as pg.CustomTypesConfig;

function queryableOf(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R extends object = Row>(statement: Statement, params: readonly unknown[] = []) {
      const values = params as unknown[];
      // A named statement is parsed and planned once per connection (db/statements.ts).
      const result =
        typeof statement === 'string'
          ? await client.query<R>(statement, values)
          : await client.query<R>({ name: statement.name, text: statement.text, values });
      return result.rows;
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple query protocol, which runs several statements.
      await client.query(sql);
    },
  };
}

/**
 * Opens a pool on `url` (any libpq URL; `?options=-c search_path=…` selects a schema, which the
 * tests use to isolate files). Connecting is lazy: the first query opens a connection.
 */
export function createPgDatabase(url: string, options: PgDatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    connectionTimeoutMillis: 5_000,
    application_name: options.applicationName ?? 'offpay-bank',
    // A transaction left open by a crashed request must not hold row locks for ever.
    idle_in_transaction_session_timeout: 60_000,
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  const base = queryableOf(pool);
  return {
    kind: 'pg',
    ...base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: without this one, a connection lost
      // mid-transaction (Postgres restarted, backend terminated, network reset) would emit an
      // 'error' nobody handles and end the process — every instance at once. The failure reaches
      // the caller through the statement that fails; the client is released as broken.
      let broken: Error | undefined;
      const onError = (err: Error) => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(queryableOf(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A prepared statement whose plan went stale fails so on every later use in this session
        // (db/statements.ts): the connection goes, a new one prepares afresh.
        if (isCachedPlanInvalid(err)) broken = err as Error;
        // A failed ROLLBACK means the connection is unusable: destroy it instead of reusing it.
        if (!broken) {
          await client.query('ROLLBACK').catch((e: unknown) => {
            broken = e instanceof Error ? e : new Error(String(e));
          });
        }
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

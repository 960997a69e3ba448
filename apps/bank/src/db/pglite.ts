/** {@link Database} over PGlite: real Postgres compiled to WASM, in memory or in a data folder. */
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, Queryable, Row, Statement } from './queryable.js';
import { textOf } from './statements.js';
import { TEXT_PARSERS } from './types.js';

function queryableOf(target: PGlite | Transaction): Queryable {
  return {
    // One session, one statement at a time: a named statement runs as its text (PGlite keeps no
    // prepared statements of ours).
    async query<R extends object = Row>(statement: Statement, params: readonly unknown[] = []) {
      const result = await target.query<R>(textOf(statement), params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  };
}

/**
 * Starts an embedded Postgres. With `dataDir` the data persists there (created if missing);
 * without, it lives in memory (tests). One PGlite is one session: queries and transactions
 * queue behind each other, so this suits a single bank instance only.
 */
export async function createPgliteDatabase(dataDir?: string): Promise<Database> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir, { parsers: { ...TEXT_PARSERS } });
  return {
    kind: 'pglite',
    ...queryableOf(db),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // PGlite issues BEGIN/COMMIT itself and ROLLBACK when fn throws.
      return db.transaction((tx) => fn(queryableOf(tx)));
    },
    async close() {
      await db.close();
    },
  };
}

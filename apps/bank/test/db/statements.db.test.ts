/**
 * Named statements (db/statements.ts): prepared once per connection, kept across a migration that
 * leaves their result alone, and — when a migration changes their result's type under them —
 * the connection is dropped and the transaction run again on a fresh one, which prepares anew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCachedPlanInvalid } from '../../src/db/errors.js';
import { createPgDatabase } from '../../src/db/pg.js';
import type { Database } from '../../src/db/queryable.js';
import { retryingTransaction } from '../../src/db/retry.js';
import { named } from '../../src/db/statements.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

let schema: TestSchema;
/** A second session, as another bank instance applying a migration would be. */
let migrator: Database;
beforeAll(async () => {
  schema = await createTestSchema();
  migrator = schema.open();
});
afterAll(async () => {
  await schema.drop();
});

/** A pool of ONE connection, so every call below runs in the same session. */
function onePool(): Database {
  return createPgDatabase(schema.url, { max: 1 });
}

const prepared = (db: Database) =>
  db.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name');

describe('named statements', () => {
  it('get one name per text, and a label that would cut the name is refused', () => {
    const a = named('lock_head', 'SELECT 1');
    expect(named('lock_head', 'SELECT 1')).toEqual(a);
    expect(named('lock_head', 'SELECT 2').name).not.toBe(a.name);
    expect(a.name.length).toBeLessThanOrEqual(63); // NAMEDATALEN − 1
    expect(() => named('x'.repeat(41), 'SELECT 1')).toThrow(RangeError);
    expect(() => named('Bad Label', 'SELECT 1')).toThrow(RangeError);
  });

  it('are prepared once per connection and reused, on the pool and in transactions', async () => {
    await migrator.exec('CREATE TABLE t1 (x int PRIMARY KEY); INSERT INTO t1 VALUES (1), (2)');
    const db = onePool();
    try {
      const stmt = named('test_read', 'SELECT x FROM t1 WHERE x = $1');
      expect(await db.query(stmt, [1])).toEqual([{ x: 1 }]);
      expect(await db.transaction((tx) => tx.query(stmt, [2]))).toEqual([{ x: 2 }]);
      expect(await db.query(stmt, [2])).toEqual([{ x: 2 }]);
      // Prepared in the session exactly once; an unnamed query leaves nothing behind.
      expect(await prepared(db)).toEqual([{ name: stmt.name }]);
    } finally {
      await db.close();
    }
  });

  it('survive a migration that leaves their result alone (a column or an index added)', async () => {
    await migrator.exec('CREATE TABLE t2 (x int); INSERT INTO t2 VALUES (7)');
    const db = onePool();
    try {
      const stmt = named('test_read', 'SELECT x FROM t2');
      expect(await db.query(stmt)).toEqual([{ x: 7 }]);
      await migrator.exec('ALTER TABLE t2 ADD COLUMN y text; CREATE INDEX ON t2 (x)');
      expect(await db.transaction((tx) => tx.query(stmt))).toEqual([{ x: 7 }]);
    } finally {
      await db.close();
    }
  });

  it('whose result type a migration changed: the connection is dropped, a retry prepares anew', async () => {
    await migrator.exec('CREATE TABLE t3 (x int); INSERT INTO t3 VALUES (5)');
    const db = onePool();
    try {
      const stmt = named('test_read', 'SELECT x FROM t3');
      expect(await db.transaction((tx) => tx.query(stmt))).toEqual([{ x: 5 }]);
      await migrator.exec('ALTER TABLE t3 ALTER COLUMN x TYPE bigint');
      // Postgres refuses the stale statement; the pool must not keep the session that holds it.
      const err: unknown = await db.transaction((tx) => tx.query(stmt)).catch((e: unknown) => e);
      expect(isCachedPlanInvalid(err)).toBe(true);
      expect(await db.transaction((tx) => tx.query(stmt))).toEqual([{ x: 5n }]);
      // And a retrying transaction gets through the same failure in one call.
      await migrator.exec('ALTER TABLE t3 ALTER COLUMN x TYPE int');
      expect(await retryingTransaction(db, (tx) => tx.query(stmt))).toEqual([{ x: 5 }]);
      // Outside a transaction, on the pool: the failing call drops its session too (a 503 to the
      // client, http/error-response.ts), and the next call prepares anew.
      await migrator.exec('ALTER TABLE t3 ALTER COLUMN x TYPE bigint');
      const failed: unknown = await db.query(stmt).catch((e: unknown) => e);
      expect(isCachedPlanInvalid(failed)).toBe(true);
      expect(await db.query(stmt)).toEqual([{ x: 5n }]);
    } finally {
      await db.close();
    }
  });
});

/**
 * A fresh Postgres schema per test file (real Postgres, never a mock), selected through the
 * connection URL's search_path, and dropped afterwards; files run in parallel without sharing rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import { createPgDatabase } from '../../src/db/pg.js';
import type { Database } from '../../src/db/queryable.js';
import { TEST_DATABASE_URL } from './env.js';

/** A test schema: its URL, a way to open more connections to it, and its removal. */
export interface TestSchema {
  name: string;
  url: string;
  /** A new pool on the schema (closed by `drop`). */
  open(): Database;
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an empty schema `t_<random>`. */
export async function createTestSchema(): Promise<TestSchema> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  const opened: Database[] = [];
  return {
    name,
    url: url.toString(),
    open() {
      const db = createPgDatabase(url.toString(), { max: 25 });
      opened.push(db);
      return db;
    },
    async drop() {
      await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
      await admin(`DROP SCHEMA ${name} CASCADE`);
    },
  };
}

/** A migrated schema and one open pool on it. */
export async function createMigratedDatabase(): Promise<{ db: Database; schema: TestSchema }> {
  const schema = await createTestSchema();
  const db = schema.open();
  await runMigrations(db);
  return { db, schema };
}

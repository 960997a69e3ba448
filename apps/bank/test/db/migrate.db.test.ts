import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, runMigrations, type Migration } from '../../src/db/migrate.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';

const schemas: TestSchema[] = [];
async function freshSchema(): Promise<TestSchema> {
  const s = await createTestSchema();
  schemas.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(schemas.splice(0).map((s) => s.drop()));
});

describe('migrations on Postgres', () => {
  it('apply every file once, in order, and are idempotent', async () => {
    const db = (await freshSchema()).open();
    const all = await loadMigrations();
    expect((await runMigrations(db)).applied).toEqual(all.map((m) => m.version));
    expect(await runMigrations(db)).toEqual({ applied: [], unknown: [] });
    const rows = await db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(all.map((m) => m.version));
  });

  it('are safe when several bank instances start at once (advisory lock)', async () => {
    const schema = await freshSchema();
    const instances = Array.from({ length: 4 }, () => schema.open());
    const reports = await Promise.all(instances.map((db) => runMigrations(db)));
    const applied = reports.map((r) => r.applied.length).sort();
    expect(applied).toEqual([0, 0, 0, (await loadMigrations()).length]);
    const [count] = await schema
      .open()
      .query<{ n: bigint }>('SELECT count(*) AS n FROM schema_migrations');
    expect(count?.n).toBe(BigInt(applied[3] ?? 0));
  });

  it('roll back entirely when one migration fails', async () => {
    const db = (await freshSchema()).open();
    const broken: Migration[] = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x int);', checksum: 'a' },
      { version: 2, name: 'bad', sql: 'CREATE TABLE b (x nonsense_type);', checksum: 'b' },
    ];
    await expect(runMigrations(db, broken)).rejects.toThrow();
    const tables = await db.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('a', 'schema_migrations')",
    );
    expect(tables).toEqual([]);
  });

  it('refuse to run when an applied migration changed, and report unknown ones', async () => {
    const db = (await freshSchema()).open();
    const v1: Migration = {
      version: 1,
      name: 'one',
      sql: 'CREATE TABLE one (x int);',
      checksum: 'c1',
    };
    await runMigrations(db, [v1, { version: 2, name: 'two', sql: 'SELECT 1;', checksum: 'c2' }]);
    await expect(runMigrations(db, [{ ...v1, checksum: 'changed' }])).rejects.toThrow(
      /changed after it was applied/,
    );
    expect(await runMigrations(db, [v1])).toEqual({ applied: [], unknown: [2] });
  });

  it('create the same tables as schema.sql, with every amount column a bigint', async () => {
    const migrated = (await freshSchema()).open();
    await runMigrations(migrated);
    const fromFile = (await freshSchema()).open();
    await fromFile.exec(await readFile(new URL('../../../../schema.sql', import.meta.url), 'utf8'));
    const columns = `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY 1, 2`;
    const a = await migrated.query<{ column_name: string; data_type: string }>(columns);
    expect(await fromFile.query(columns)).toEqual(a);
    const money = a.filter((c) => /^(amount|balance|spent|.*_minor)$/.test(c.column_name));
    expect(money.length).toBeGreaterThan(5);
    for (const c of money) expect(c.data_type, c.column_name).toBe('bigint');
  });
});

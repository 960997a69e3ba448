/**
 * Schema migrations: `migrations/NNN_name.sql`, applied in order, all pending ones in one
 * transaction, tracked in `schema_migrations`, under an advisory lock so that bank instances
 * starting together apply each migration exactly once. `schema.sql` at the repository root is
 * {@link renderSchema} of these files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256, toHex, utf8 } from '@offpay/crypto';
import type { Database, Queryable } from './queryable.js';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Hex SHA-256 of the file: an applied migration must never change afterwards. */
  checksum: string;
}

/** Outcome of {@link runMigrations}. */
export interface MigrationReport {
  /** Versions this run applied (empty when the schema was already current). */
  applied: number[];
  /** Versions recorded in the database that this code does not know (a newer bank ran here). */
  unknown: number[];
}

/** The bank's migrations folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/**
 * Reads and orders the migration files.
 * @throws Error on a misnamed `.sql` file or two files with one version.
 */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`migration file name must be NNN_name.sql: ${file}`);
    const sql = await readFile(join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version))
      throw new Error(`duplicate migration ${version}`);
    migrations.push({ version, name: match[2] ?? '', sql, checksum: toHex(sha256(utf8(sql))) });
  }
  return migrations;
}

/** The contents of the top-level `schema.sql`: a header, then every migration in order. */
export function renderSchema(migrations: readonly Migration[]): string {
  const header = [
    '-- offpay bank schema (PostgreSQL). GENERATED: do not edit by hand.',
    '-- It is the concatenation of apps/bank/migrations/*.sql, regenerated with',
    '-- `pnpm --filter @offpay/bank schema`; a test fails when it is out of date.',
    "-- The migration runner's own bookkeeping table (schema_migrations) is not part of it.",
  ].join('\n');
  const parts = migrations.map((m) => {
    const file = `${String(m.version).padStart(3, '0')}_${m.name}.sql`;
    return `-- ==== migrations/${file} ====\n\n${m.sql.trimEnd()}\n`;
  });
  return `${header}\n\n${parts.join('\n')}`;
}

// Scoped to the schema so that test files, each in its own schema, do not queue behind each
// other, while two banks on one schema still serialise.
const LOCK_SQL =
  "SELECT pg_advisory_xact_lock(hashtextextended('offpay/migrations/' || current_schema(), 0))";

const BOOKKEEPING_SQL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function appliedChecksums(tx: Queryable): Promise<Map<number, string>> {
  const rows = await tx.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((r) => [r.version, r.checksum]));
}

/**
 * Applies every pending migration in one transaction (all or none).
 * @throws Error when an applied migration's file has changed since (refuse to run on a schema
 * that differs from what the code expects).
 */
export async function runMigrations(
  db: Database,
  migrations?: readonly Migration[],
): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query(LOCK_SQL);
    await tx.exec(BOOKKEEPING_SQL);
    const applied = await appliedChecksums(tx);
    const report: MigrationReport = { applied: [], unknown: [] };
    const known = new Set(all.map((m) => m.version));
    report.unknown = [...applied.keys()].filter((v) => !known.has(v));
    for (const m of all) {
      const checksum = applied.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum)
          throw new Error(`migration ${m.version}_${m.name} changed after it was applied`);
        continue;
      }
      await tx.exec(m.sql);
      await tx.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [m.version, m.name, m.checksum],
      );
      report.applied.push(m.version);
    }
    return report;
  });
}

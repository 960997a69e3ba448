/** The database: Postgres at DATABASE_URL, else embedded PGlite in DATA_DIR; migrated on start. */
import { join } from 'node:path';
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';
import { databaseErrorFields } from '../db/errors.js';
import { runMigrations } from '../db/migrate.js';
import { createPgDatabase } from '../db/pg.js';
import { createPgliteDatabase } from '../db/pglite.js';
import type { Database } from '../db/queryable.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

/** Options: the config, or a database the caller owns (tests); the app closes only its own. */
export interface DbPluginOptions {
  config: BankConfig;
  database?: Database;
}

export default fp<DbPluginOptions>(
  async (app, { config, database }) => {
    let db = database;
    if (!db) {
      db = config.databaseUrl
        ? createPgDatabase(config.databaseUrl, {
            // Code and message only: the error object drags the pg client's internals along.
            onIdleError: (err) =>
              app.log.warn(databaseErrorFields(err), 'idle Postgres connection failed'),
          })
        : await createPgliteDatabase(join(config.dataDir, 'pgdata'));
      const owned = db;
      app.addHook('onClose', async () => owned.close());
    }
    const report = await runMigrations(db);
    app.log.info({ backend: db.kind, applied: report.applied }, 'database ready');
    if (report.unknown.length > 0) {
      app.log.warn(
        { unknown: report.unknown },
        'the database has migrations this bank does not know (a newer bank ran here)',
      );
    }
    app.decorate('db', db);
  },
  { name: 'offpay-db' },
);

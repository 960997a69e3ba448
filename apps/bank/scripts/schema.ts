/** Regenerates the top-level schema.sql from apps/bank/migrations (`pnpm --filter @offpay/bank schema`). */
import { writeFile } from 'node:fs/promises';
import { loadMigrations, renderSchema } from '../src/db/migrate.js';

const target = new URL('../../../schema.sql', import.meta.url);
await writeFile(target, renderSchema(await loadMigrations()));
console.log(`wrote ${target.pathname}`);

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadMigrations, renderSchema } from '../../src/db/migrate.js';

describe('schema.sql', () => {
  it('is exactly the concatenation of the migrations (run `pnpm --filter @offpay/bank schema`)', async () => {
    const committed = await readFile(new URL('../../../../schema.sql', import.meta.url), 'utf8');
    expect(committed).toBe(renderSchema(await loadMigrations()));
  });
});

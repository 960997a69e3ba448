/**
 * The embedded default, proven: the core ledger suite and an HTTP round trip on PGlite (real
 * Postgres compiled to WASM), in memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../src/db/migrate.js';
import { createPgliteDatabase } from '../src/db/pglite.js';
import type { Database } from '../src/db/queryable.js';
import { buildTestApp } from './helpers/app.js';
import { describeLedgerSuite } from './suites/ledger.suite.js';

let db: Database;

beforeAll(async () => {
  db = await createPgliteDatabase();
  await runMigrations(db);
}, 120_000);
afterAll(async () => {
  await db.close();
});

describeLedgerSuite('PGlite', () => db);

describe('bank on PGlite', () => {
  it('migrates idempotently', async () => {
    expect((await runMigrations(db)).applied).toEqual([]);
  });

  it('registers, logs in and reads the balance over HTTP, and keeps its keys across a rebuild', async () => {
    const app = await buildTestApp({ db });
    const kid = (await app.inject('/bank-public-key')).json<{ kid: string }>().kid;
    const register = await app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'p@example.com', password: 'pglite-password', displayName: 'P' },
    });
    expect(register.statusCode).toBe(201);
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'p@example.com', password: 'pglite-password' },
    });
    const token = login.json<{ accessToken: string }>().accessToken;
    const me = await app.inject({
      url: '/v1/accounts/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json<{ accounts: { balanceMinor: string }[] }>().accounts[0]?.balanceMinor).toBe('0');
    await app.close();

    const again = await buildTestApp({ db });
    expect((await again.inject('/bank-public-key')).json<{ kid: string }>().kid).toBe(kid);
    // The generated JWT secret persisted too: the old token still works.
    expect(
      (
        await again.inject({
          url: '/v1/accounts/me',
          headers: { authorization: `Bearer ${token}` },
        })
      ).statusCode,
    ).toBe(200);
    await again.close();
  });
});

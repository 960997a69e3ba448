import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../../src/db/migrate.js';
import { createRedisStores } from '../../../src/kv/redis.js';
import { buildTestApp } from '../../helpers/app.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let schema: TestSchema;
beforeAll(async () => {
  schema = await createTestSchema();
  await runMigrations(schema.open());
});
afterAll(async () => {
  await schema.drop();
});

describe('health', () => {
  it('is live and ready on Postgres with in-process stores', async () => {
    const app = await buildTestApp({ db: schema.open() });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: 'ok', redis: 'not-configured' });
    await app.close();
  });

  it('is ready but degraded when the configured Redis is down', async () => {
    const stores = await createRedisStores('redis://127.0.0.1:1', { prefix: 'offpay-test-down:' });
    const app = await buildTestApp({ db: schema.open(), stores });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'degraded', database: 'ok', redis: 'down' });
    // Logins still work: the token-version cache falls back to Postgres.
    const payload = { email: 'deg@example.com', password: 'degraded-password', displayName: 'D' };
    expect(
      (await app.inject({ method: 'POST', url: '/v1/auth/register', payload })).statusCode,
    ).toBe(201);
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: payload.email, password: payload.password },
    });
    const token = login.json<{ accessToken: string }>().accessToken;
    expect(
      (await app.inject({ url: '/v1/accounts/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(200);
    await app.close();
    await stores.close();
  });

  it('answers 503 when the database is gone, on /readyz and on routes that need it', async () => {
    const db = schema.open();
    const app = await buildTestApp({ db });
    await db.close();
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'unavailable', database: 'down' });
    const login = await app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'x@example.com', password: 'whatever-password' },
    });
    expect(login.statusCode).toBe(503);
    expect(login.headers['retry-after']).toBe('5');
    expect(login.json()).toMatchObject({ code: 'BANK_UNAVAILABLE' });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    await app.close();
  });
});

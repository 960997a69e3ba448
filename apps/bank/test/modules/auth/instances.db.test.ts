/**
 * Tokens across instances (issue #10): two bank instances behind one load balancer, each with its
 * own PUBLIC_BASE_URL, on one database, accept each other's tokens — the issuer comes from
 * JWT_ISSUER (default `offpay-bank`), never from an instance's own address.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { runMigrations } from '../../../src/db/migrate.js';
import { buildTestApp } from '../../helpers/app.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

let schema: TestSchema;
let one: FastifyInstance;
let two: FastifyInstance;

/** An instance configured from the environment it would have, on the shared schema. */
function instance(publicBaseUrl: string): Promise<FastifyInstance> {
  const env = loadConfig({ PUBLIC_BASE_URL: publicBaseUrl });
  return buildTestApp({ db: schema.open(), config: { publicBaseUrl, jwt: env.jwt } });
}

beforeAll(async () => {
  schema = await createTestSchema();
  await runMigrations(schema.open());
  one = await instance('https://bank-1.internal.example');
  two = await instance('https://bank-2.internal.example');
});
afterAll(async () => {
  await one.close();
  await two.close();
  await schema.drop();
});

describe('two instances with different PUBLIC_BASE_URL', () => {
  it('accept each other’s tokens', async () => {
    const payload = { email: 'lb@example.com', password: 'load balancer pass', displayName: 'L' };
    expect(
      (await one.inject({ method: 'POST', url: '/v1/auth/register', payload })).statusCode,
    ).toBe(201);
    for (const [issuer, verifier] of [
      [one, two],
      [two, one],
    ] as const) {
      const login = await issuer.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: payload.email, password: payload.password },
      });
      expect(login.statusCode, login.body).toBe(200);
      const token = login.json<{ accessToken: string }>().accessToken;
      const me = await verifier.inject({
        url: '/v1/accounts/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(me.statusCode, me.body).toBe(200);
    }
  });
});

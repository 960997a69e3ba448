import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/config.js';
import { runMigrations } from '../../../src/db/migrate.js';
import { buildTestApp } from '../../helpers/app.js';
import { createTestSchema, type TestSchema } from '../../helpers/db.js';

const SENDER = 'http://127.0.0.1:5173';

let schema: TestSchema;
let app: FastifyInstance;
beforeAll(async () => {
  schema = await createTestSchema();
  await runMigrations(schema.open());
  app = await buildTestApp({ db: schema.open(), now: () => new Date('2026-11-23T10:00:00Z') });
});
afterAll(async () => {
  await app.close();
  await schema.drop();
});

describe('browser apps (CORS)', () => {
  it('answers a preflight from the sender app with the methods and headers it needs', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/v1/enrollment/challenge',
      headers: {
        origin: SENDER,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SENDER);
    expect(res.headers['access-control-allow-headers']).toContain('authorization');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('lets an app read errors too, and gives an unknown origin nothing', async () => {
    const refused = await app.inject({ url: '/v1/accounts/me', headers: { origin: SENDER } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(SENDER);
    const foreign = await app.inject({
      url: '/v1/keys',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('hands the bank time out with the revocation list', async () => {
    const res = await app.inject({ url: '/v1/revocations', headers: { origin: SENDER } });
    expect(res.json<{ bankTime: string }>().bankTime).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('CORS_ORIGINS', () => {
  it('takes a comma-separated list of origins and refuses anything with a path', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://pay.example, http://127.0.0.1:4000' }).corsOrigins,
    ).toEqual(['https://pay.example', 'http://127.0.0.1:4000']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://pay.example/app' })).toThrow(/CORS_ORIGINS/);
  });
});

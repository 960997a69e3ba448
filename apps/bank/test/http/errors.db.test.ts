/** The one error shape over HTTP: every failure is `{code, message, details}`, none leaks internals. */
import { errorBody, routes } from '@offpay/api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/queryable.js';
import { bankFail } from '../../src/errors.js';
import { buildTestApp, LogCapture } from '../helpers/app.js';
import { createMigratedDatabase, type TestSchema } from '../helpers/db.js';

let db: Database;
let schema: TestSchema;
let app: FastifyInstance;
const logs = new LogCapture();

beforeAll(async () => {
  ({ db, schema } = await createMigratedDatabase());
  app = await buildTestApp({ db, logs, ready: false, config: { bodyLimitBytes: 1024 } });
  app.get('/test/boom', () => {
    throw new Error('internal detail: password=hunter2 at /srv/secret/path');
  });
  app.get('/test/coded', () =>
    bankFail('BANK_INSUFFICIENT_FUNDS', 'The account balance does not cover the amount', {
      accountId: 'a',
      balanceMinor: '1',
      requiredMinor: '2',
    }),
  );
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await schema.drop();
});

const login = (payload: string, contentType = 'application/json') =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload,
    headers: { 'content-type': contentType },
  });

describe('error responses', () => {
  it('413 BANK_BODY_TOO_LARGE names the limit', async () => {
    const res = await login(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2000) }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({
      code: 'BANK_BODY_TOO_LARGE',
      message: 'The request body is larger than the limit of 1024 bytes',
      details: { limitBytes: 1024 },
    });
  });

  it('400 BANK_BAD_REQUEST for JSON that does not parse, or an empty JSON body', async () => {
    for (const payload of ['{"email":', '']) {
      const res = await login(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'BANK_BAD_REQUEST', details: { issues: [] } });
    }
  });

  it('400 with the issues for a body of the wrong shape', async () => {
    const res = await login(JSON.stringify({ email: 42 }));
    expect(res.json()).toMatchObject({
      code: 'BANK_BAD_REQUEST',
      details: {
        issues: expect.arrayContaining([{ path: 'body/email', message: expect.any(String) }]),
      },
    });
  });

  it('415 for a content type the route does not read', async () => {
    const res = await login('<xml/>', 'application/xml');
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'BANK_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('404 BANK_NOT_FOUND for an unknown route', async () => {
    for (const [method, url] of [
      ['GET', '/v2/nothing?x=1'],
      ['DELETE', '/v2/nothing'],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'BANK_NOT_FOUND', details: {} });
    }
  });

  it('400 for a malformed URL (a framework error, same shape)', async () => {
    const res = await app.inject('/v1/keys/%zz');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'BANK_BAD_REQUEST' });
  });

  it('documents every route of @offpay/api in OpenAPI at /docs, in words that hold today', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { description: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(doc.openapi).toMatch(/^3\./);
    // The routes this file adds for its own tests (/test/…) are not the bank's.
    const documented = Object.entries(doc.paths)
      .filter(([path]) => !path.startsWith('/test/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const declared = Object.values(routes).map(
      (r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`,
    );
    expect(documented.sort()).toEqual(declared.sort());
    expect(Object.keys(doc.paths['/v1/auth/login']?.['post']?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '429',
    ]);
    expect(doc.info.description).toContain('settlement');
    expect(res.body).not.toContain('(later)');
    expect(res.body).not.toContain('DESIGN.md');
    expect((await app.inject('/docs')).statusCode).toBeLessThan(400);
  });

  it('answers every error above in the shape errorBody of @offpay/api parses', async () => {
    const answers = await Promise.all([
      login(JSON.stringify({ email: 42 })),
      login('{"email":'),
      login('<xml/>', 'application/xml'),
      app.inject('/v2/nothing'),
      app.inject('/v1/keys/%zz'),
      app.inject('/test/coded'),
    ]);
    for (const res of answers) {
      const parsed = errorBody.safeParse(res.json());
      expect(parsed.error?.issues ?? [], res.body).toEqual([]);
    }
  });

  it('coded errors from services keep their status, code and typed details', async () => {
    const res = await app.inject('/test/coded');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      code: 'BANK_INSUFFICIENT_FUNDS',
      message: 'The account balance does not cover the amount',
      details: { accountId: 'a', balanceMinor: '1', requiredMinor: '2' },
    });
  });

  it('500 BANK_INTERNAL discloses nothing but a request id, and logs the error', async () => {
    const res = await app.inject('/test/boom');
    expect(res.statusCode).toBe(500);
    const body = res.json<{ code: string; message: string; details: { requestId: string } }>();
    expect(body).toEqual({
      code: 'BANK_INTERNAL',
      message: 'Internal error',
      // Fastify's request id, which the log line of the error carries too.
      details: { requestId: expect.stringMatching(/^req-[0-9a-z]+$/) },
    });
    expect(res.body).not.toMatch(/hunter2|secret|stack|internal detail/);
    expect(logs.text()).toContain('internal detail');
    expect(logs.text()).toContain(`"reqId":"${body.details.requestId}"`);
  });

  it('no malformed request of the ones above produced a 5xx other than the deliberate one', () => {
    const statuses = logs.lines.map(
      (l) => JSON.parse(l) as { res?: { statusCode?: number }; req?: { url?: string } },
    );
    const fives = statuses.filter((l) => (l.res?.statusCode ?? 0) >= 500);
    expect(fives).toHaveLength(1);
  });
});

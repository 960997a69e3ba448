/** Register, login, logout and every way a token is refused, over HTTP on Postgres and Redis. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/queryable.js';
import type { KeyValueStores } from '../../../src/kv/kv.js';
import { createRedisStores } from '../../../src/kv/redis.js';
import { buildTestApp, LogCapture } from '../../helpers/app.js';
import { createMigratedDatabase, type TestSchema } from '../../helpers/db.js';
import { TEST_REDIS_URL } from '../../helpers/env.js';

let db: Database;
let schema: TestSchema;
let stores: KeyValueStores;
let app: FastifyInstance;
let clock = new Date('2030-01-01T00:00:00Z');
const logs = new LogCapture();
const PASSWORD = 'a-Secret-Password-123';
const secretsSeen: string[] = [PASSWORD];

beforeAll(async () => {
  ({ db, schema } = await createMigratedDatabase());
  stores = await createRedisStores(TEST_REDIS_URL, {
    prefix: `offpay-test:${randomBytes(6).toString('hex')}:`,
  });
  app = await buildTestApp({ db, stores, now: () => clock, logs });
});
afterAll(async () => {
  await app.close();
  await stores.close();
  await schema.drop();
});

const post = (url: string, payload: object, token?: string) =>
  app.inject({
    method: 'POST',
    url,
    payload,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
const me = (token: string) =>
  app.inject({ url: '/v1/accounts/me', headers: { authorization: `Bearer ${token}` } });

async function register(email: string, password = PASSWORD) {
  return post('/v1/auth/register', { email, password, displayName: 'Test User' });
}

async function login(email: string, password = PASSWORD): Promise<string> {
  const res = await post('/v1/auth/login', { email, password });
  expect(res.statusCode).toBe(200);
  const token = res.json<{ accessToken: string }>().accessToken;
  secretsSeen.push(token);
  return token;
}

describe('auth over HTTP', () => {
  it('registers a user with an EUR customer account and refuses the email twice', async () => {
    const res = await register('Ann@Example.com');
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      email: 'ann@example.com',
      displayName: 'Test User',
      currency: 'EUR',
    });
    const again = await register('ann@example.COM');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'BANK_EMAIL_TAKEN' });
  });

  it('refuses short passwords and bad emails with the issues listed', async () => {
    const res = await post('/v1/auth/register', {
      email: 'nope',
      password: 'short',
      displayName: 'X',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; details: { issues: { path: string }[] } }>();
    expect(body.code).toBe('BANK_BAD_REQUEST');
    expect(body.details.issues.map((i) => i.path).sort()).toEqual(['body/email', 'body/password']);
  });

  it('logs in, and a wrong password looks exactly like an unknown email', async () => {
    await register('bea@example.com');
    const token = await login('BEA@example.com');
    expect((await me(token)).statusCode).toBe(200);
    const wrong = await post('/v1/auth/login', {
      email: 'bea@example.com',
      password: 'not-the-password',
    });
    const unknown = await post('/v1/auth/login', {
      email: 'nobody@example.com',
      password: 'not-the-password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toMatchObject({ code: 'BANK_BAD_CREDENTIALS' });
  });

  it('logout revokes every token of the user, and a new login works again', async () => {
    await register('cid@example.com');
    const first = await login('cid@example.com');
    const second = await login('cid@example.com');
    expect((await me(first)).statusCode).toBe(200);
    expect((await post('/v1/auth/logout', {}, first)).statusCode).toBe(204);
    for (const token of [first, second]) {
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'BANK_TOKEN_REVOKED' });
    }
    expect((await me(await login('cid@example.com'))).statusCode).toBe(200);
  });

  it('refuses missing, malformed, tampered, alg-none and expired tokens with 401 codes', async () => {
    await register('dan@example.com');
    const token = await login('dan@example.com');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = Buffer.from(
      JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
    const cases: [Record<string, string>, string][] = [
      [{}, 'BANK_AUTH_REQUIRED'],
      [{ authorization: `Basic ${token}` }, 'BANK_AUTH_REQUIRED'],
      [{ authorization: 'Bearer not.a.token' }, 'BANK_TOKEN_INVALID'],
      [{ authorization: `Bearer ${header}.${forged}.${signature}` }, 'BANK_TOKEN_INVALID'],
      [{ authorization: `Bearer ${none}.${payload}.` }, 'BANK_TOKEN_INVALID'],
    ];
    for (const [headers, code] of cases) {
      const res = await app.inject({ url: '/v1/accounts/me', headers });
      expect(res.statusCode, code).toBe(401);
      expect(res.json()).toMatchObject({ code });
    }
    clock = new Date(clock.getTime() + 16 * 60_000);
    const expired = await me(token);
    expect(expired.json()).toMatchObject({ code: 'BANK_TOKEN_EXPIRED' });
    expect(expired.statusCode).toBe(401);
  });

  it('shows the balance and an empty history to a new user', async () => {
    await register('eve@example.com');
    const token = await login('eve@example.com');
    const body = (await me(token)).json<{
      accounts: { currency: string; balanceMinor: string; kind: string }[];
    }>();
    expect(body.accounts).toEqual([
      expect.objectContaining({ currency: 'EUR', balanceMinor: '0', kind: 'customer' }),
    ]);
    const history = await app.inject({
      url: '/v1/accounts/me/history?limit=10',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(history.json()).toEqual({ items: [], nextBefore: null });
    const bad = await app.inject({
      url: '/v1/accounts/me/history?limit=0',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'BANK_BAD_REQUEST',
      details: { issues: [{ path: 'querystring/limit' }] },
    });
  });

  it('never writes a password or a token to the logs', () => {
    const text = logs.text();
    expect(logs.lines.length).toBeGreaterThan(20);
    for (const secret of secretsSeen) expect(text).not.toContain(secret);
    // Not even the signature part of a token.
    for (const token of secretsSeen.slice(1)) expect(text).not.toContain(token.split('.')[2]);
  });
});

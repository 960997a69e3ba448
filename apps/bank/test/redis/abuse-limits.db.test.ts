/**
 * Cheap abuse of the public auth routes (issue #12 item 6), each a regression test: registration
 * had no limit (a flood from one address, or from many, starved logins of CPU), login was limited
 * per address-and-email only (one address spraying a password over many emails was never
 * stopped), and a limit whose Redis was down was skipped. Counts are shared by two instances
 * through Redis; with Redis down each instance still counts in process (fails safe).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cluster, PrivateRedis, type Cluster } from './helpers.js';

const limits = {
  windowSeconds: 60,
  login: 1_000,
  loginAddress: 4,
  register: 3,
  registerTotal: 5,
  enrollment: 1_000,
  settlement: 1_000,
};

let n = 0;
const fresh = () => `abuse${++n}-${Date.now()}@example.com`;
const password = 'correct horse battery';

const register = (app: FastifyInstance, from: string, email = fresh()) =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    remoteAddress: from,
    payload: { email, password, displayName: 'Flood', currency: 'EUR' },
  });

const login = (app: FastifyInstance, from: string, email: string, pass = 'wrong password!') =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: from,
    payload: { email, password: pass },
  });

function expectLimited(res: LightMyRequestResponse, limit: number): void {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.json<{ code: string; details: { limit: number } }>()).toMatchObject({
    code: 'BANK_RATE_LIMITED',
    details: { limit },
  });
}

describe('with Redis, across two instances', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await cluster({ rateLimits: limits });
  });
  afterAll(async () => {
    await c.close();
  });

  it('registration: per address, then bank-wide over every address', async () => {
    expect((await register(c.one, '192.0.2.1')).statusCode).toBe(201);
    expect((await register(c.two, '192.0.2.1')).statusCode).toBe(201);
    expect((await register(c.one, '192.0.2.1')).statusCode).toBe(201);
    // The fourth from one address, on either instance, is refused before any password hashing.
    const before = await c.world.db.query('SELECT 1 FROM users');
    expectLimited(await register(c.two, '192.0.2.1'), 3);
    expect(await c.world.db.query('SELECT 1 FROM users')).toHaveLength(before.length);
    // Other addresses may still register — until the bank-wide count (5) is spent.
    expect((await register(c.two, '192.0.2.2')).statusCode).toBe(201);
    expect((await register(c.one, '192.0.2.3')).statusCode).toBe(201);
    expectLimited(await register(c.two, '192.0.2.4'), 5);
    expectLimited(await register(c.one, '192.0.2.5'), 5);
  });

  it('login: one address spraying a password over many emails is stopped', async () => {
    const victims = Array.from({ length: 5 }, fresh);
    // Four attempts from one address, each on a different email, across both instances.
    for (const [i, email] of victims.slice(0, 4).entries()) {
      const res = await login(i % 2 === 0 ? c.one : c.two, '198.51.100.7', email);
      expect(res.statusCode, res.body).toBe(401);
    }
    expectLimited(await login(c.one, '198.51.100.7', victims[4]!), 4);
    // Another address is not held back by the sprayer.
    expect((await login(c.two, '198.51.100.8', victims[4]!)).statusCode).toBe(401);
  });
});

describe('login answers the same for unknown and known emails', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await cluster({ rateLimits: { ...limits, loginAddress: 1_000, register: 1_000 } });
  });
  afterAll(async () => {
    await c.close();
  });

  it('same status, code, message and body for a wrong password and an unknown email', async () => {
    const email = fresh();
    expect((await register(c.one, '192.0.2.9', email)).statusCode).toBe(201);
    const known = await login(c.one, '192.0.2.9', email, 'not the password');
    const unknown = await login(c.one, '192.0.2.9', fresh(), 'not the password');
    expect(known.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    // Everything but the request id, which differs per request.
    const strip = (r: LightMyRequestResponse) => ({
      ...r.json<Record<string, unknown>>(),
      requestId: '',
    });
    expect(strip(unknown)).toEqual(strip(known));
    expect(strip(known)).toMatchObject({ code: 'BANK_BAD_CREDENTIALS' });
  });
});

describe('with Redis down', () => {
  let redis: PrivateRedis;
  let c: Cluster;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    c = await cluster({ rateLimits: limits }, redis.url);
  });
  afterAll(async () => {
    await c?.close();
    await redis?.stop();
  });

  it('each instance still limits in process (fails safe), and keeps serving', async () => {
    await redis.stop();
    // Redis is gone: every count fails over to this instance's own counter.
    for (let i = 0; i < 3; i++) {
      expect((await register(c.one, '203.0.113.5')).statusCode).toBe(201);
    }
    expectLimited(await register(c.one, '203.0.113.5'), 3);
    const failures = (await c.one.metrics.redisFailures.get()).values
      .filter((v) => v.labels.role === 'rate-limit')
      .reduce((sum, v) => sum + v.value, 0);
    expect(failures).toBeGreaterThan(0);
    // The other instance has its own count while Redis is down.
    expect((await register(c.two, '203.0.113.5')).statusCode).toBe(201);
  });
});

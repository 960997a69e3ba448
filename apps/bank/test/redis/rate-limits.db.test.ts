/**
 * Rate limits (DESIGN.md §5): one count shared by every instance through Redis, answered with
 * 429 BANK_RATE_LIMITED and the RateLimit / Retry-After headers; settlement is limited before
 * its body is even read; without Redis the in-process counter limits a single instance.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BankMetrics } from '../../src/observability/metrics.js';
import { SETTLEMENT_BODY_LIMIT } from '@offpay/api';
import { auth, signInAgain, World, type User } from '../helpers/world.js';
import { cluster, type Cluster } from './helpers.js';

const limits = {
  windowSeconds: 60,
  login: 3,
  loginAddress: 1_000,
  register: 1_000,
  registerTotal: 1_000,
  enrollment: 2,
  settlement: 2,
  certificateReports: 2,
};

let c: Cluster;
beforeAll(async () => {
  c = await cluster({ rateLimits: limits });
});
afterAll(async () => {
  await c.close();
});

const login = (app: FastifyInstance, email: string, password = 'wrong password!') =>
  app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

async function emailOf(world: World, user: User): Promise<string> {
  const rows = await world.db.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [
    user.userId,
  ]);
  return rows[0]?.email ?? '';
}

const rateLimited = async (metrics: BankMetrics, group: string) =>
  (await metrics.rateLimited.get()).values.find((v) => v.labels.group === group)?.value ?? 0;

function expect429(res: LightMyRequestResponse, limit: number): void {
  expect(res.statusCode, res.body).toBe(429);
  const body = res.json<{ code: string; details: { limit: number; retryAfterSeconds: number } }>();
  expect(body.code).toBe('BANK_RATE_LIMITED');
  expect(body.details.limit).toBe(limit);
  expect(body.details.retryAfterSeconds).toBeGreaterThan(0);
  expect(body.details.retryAfterSeconds).toBeLessThanOrEqual(limits.windowSeconds);
  expect(res.headers['retry-after']).toBe(String(body.details.retryAfterSeconds));
  expect(res.headers['ratelimit-limit']).toBe(String(limit));
  expect(res.headers['ratelimit-remaining']).toBe('0');
  expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
  expect(Number(res.headers['ratelimit-reset'])).toBeLessThanOrEqual(limits.windowSeconds);
}

describe('login: per address and email, across instances', () => {
  it('refuses the attempt past the limit on either instance, even with the right password', async () => {
    const user = await c.world.user();
    const email = await emailOf(c.world, user);
    // world.user() logged in once (on instance 1): two attempts remain, one on each instance.
    const second = await login(c.two, email);
    expect(second.statusCode).toBe(401);
    expect(second.headers['ratelimit-limit']).toBe('3');
    expect(second.headers['ratelimit-remaining']).toBe('1');
    expect((await login(c.one, email)).headers['ratelimit-remaining']).toBe('0');
    expect429(await login(c.two, email), 3);
    expect429(await login(c.one, email, 'correct horse battery'), 3);
    expect(await rateLimited(c.two.metrics, 'login')).toBe(1);
    expect(await rateLimited(c.one.metrics, 'login')).toBe(1);
    // Another email from the same address has its own count.
    expect((await login(c.two, 'someone-else@example.com')).statusCode).toBe(401);
  });
});

describe('enrollment: per user, across instances', () => {
  it("limits one user's challenges without touching another's", async () => {
    const [alice, bob] = [await c.world.user(), await c.world.user()];
    const challenge = (app: FastifyInstance, who: typeof alice) =>
      app.inject({ method: 'POST', url: '/v1/enrollment/challenge', headers: auth(who) });
    expect((await challenge(c.one, alice)).statusCode).toBe(201);
    expect((await challenge(c.two, alice)).statusCode).toBe(201);
    expect429(await challenge(c.one, alice), 2);
    expect((await challenge(c.two, bob)).statusCode).toBe(201);
    // The login comes first: an anonymous caller is refused 401, not counted against anyone.
    const anonymous = await c.two.inject({ method: 'POST', url: '/v1/enrollment/challenge' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('lost-or-stolen reports: per user, across instances', () => {
  it("limits one user's reports without touching another's", async () => {
    const alice = await c.world.payer(500n);
    const bob = await c.world.user();
    const report = (app: FastifyInstance, who: User, serial: number) =>
      app.inject({
        method: 'POST',
        url: `/v1/certificates/${serial}/report`,
        headers: auth(who),
        payload: { reason: 'lost' },
      });
    expect((await report(c.one, alice.user, alice.cert.serial)).statusCode).toBe(200);
    // The first report ended Alice's sessions (docs/threat-model.md §4.1): she signs in again.
    await signInAgain(c.world, alice.user);
    expect((await report(c.two, alice.user, alice.cert.serial)).statusCode).toBe(200);
    expect429(await report(c.one, alice.user, alice.cert.serial), 2);
    expect((await report(c.two, bob, alice.cert.serial)).statusCode).toBe(404);
    expect(await rateLimited(c.one.metrics, 'certificateReports')).toBe(1);
  });
});

describe('settlement: per address, before the batch is read', () => {
  it('refuses the third request from one address, before reading or opening its body', async () => {
    const settle = (app: FastifyInstance, body: Buffer) =>
      app.inject({
        method: 'POST',
        url: '/v1/settlements',
        headers: { 'content-type': 'application/cbor' },
        payload: body,
      });
    const junk = Buffer.from('not a sealed batch');
    expect((await settle(c.one, junk)).statusCode).toBe(400);
    expect((await settle(c.two, junk)).statusCode).toBe(400);
    expect429(await settle(c.one, junk), 2);
    // Larger than the body limit: refused 429, not 413, so the body was never read.
    expect429(await settle(c.two, Buffer.alloc(SETTLEMENT_BODY_LIMIT + 1)), 2);
    expect(await rateLimited(c.two.metrics, 'settlement')).toBe(1);
  });
});

describe('without Redis', () => {
  it('limits a single instance with the in-process counter', async () => {
    const world = await World.create({ config: { rateLimits: { ...limits, login: 1 } } });
    try {
      const user = await world.user();
      const email = await emailOf(world, user);
      expect429(await login(world.app, email, 'correct horse battery'), 1);
    } finally {
      await world.close();
    }
  });
});

/**
 * Degradation (DESIGN.md §5): Redis dies in the middle of a run of settlements on two instances
 * and comes back. Every batch settles exactly once from Postgres (each sent to both instances at
 * once), /readyz says degraded and then ready again by itself, the failures are counted, and
 * what has no fallback (an enrollment challenge) answers 503. Runs on a redis-server of its own.
 */
import type { AddressInfo } from 'node:net';
import { toHex } from '@offpay/crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../src/kv/redis.js';
import { buildTestApp } from '../helpers/app.js';
import { assertLedgerInvariants } from '../helpers/ledger.js';
import { auth, reserveViolations, World, type PayeeDevice } from '../helpers/world.js';
import { cluster, eventually, PrivateRedis, type Cluster } from './helpers.js';
import { SseStream } from './sse.js';

const readyz = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/readyz' })).json<{ status: string; redis: string }>();

const failures = async (app: FastifyInstance) =>
  (await app.metrics.redisFailures.get()).values.reduce((sum, v) => sum + v.value, 0);

let redis: PrivateRedis;
let c: Cluster;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  c = await cluster({}, redis.url);
});
afterAll(async () => {
  c?.one.server.closeAllConnections();
  await c?.close();
  await redis?.stop();
});

interface Sent {
  sealed: Uint8Array;
  signed: string;
}

/** Sends the payee's next batch to both instances at once: one settles it, the other replays. */
async function settleTwice(payee: PayeeDevice): Promise<Sent> {
  const { sealed } = await c.world.batch(payee);
  const answers = await Promise.all([c.one, c.two].map((app) => c.world.settle(sealed, {}, app)));
  for (const a of answers) expect(a.statusCode, a.body).toBe(200);
  const bodies = answers.map((a) => a.json<{ replayed: boolean; signed: string }>());
  expect(bodies.map((b) => b.replayed).sort()).toEqual([false, true]);
  expect(bodies[0]!.signed).toBe(bodies[1]!.signed);
  c.world.settledAll(payee);
  return { sealed, signed: bodies[0]!.signed };
}

describe('Redis stopped during a run of settlements', () => {
  it('settles every batch exactly once, says degraded, and recovers when Redis returns', async () => {
    const payer = await c.world.payer(100_000n);
    const payees = [await c.world.payee('Shop A'), await c.world.payee('Shop B')];
    expect(await readyz(c.one)).toEqual({ status: 'ready', database: 'ok', redis: 'ok' });
    const stream = await followOnInstanceOne(payees[0]!);
    const nextFromIndex = async () => (await stream.nextEvent()) as { fromIndex: number };
    const sent: Sent[] = [];
    let total = 0;
    let failuresWhenBack = -1;
    for (let i = 0; i < 10; i++) {
      if (i === 3) {
        // Shop A's batches 0 and 1 (of this loop's 0 and 2) reached its stream on instance 1.
        expect((await nextFromIndex()).fromIndex).toBe(0);
        expect((await nextFromIndex()).fromIndex).toBe(1);
        await redis.stop();
        for (const app of [c.one, c.two])
          expect(await readyz(app)).toEqual({ status: 'degraded', database: 'ok', redis: 'down' });
      }
      if (i === 6) await expectDegradedButServing();
      if (i === 7) {
        await redis.start();
        await eventually(
          async () =>
            (await readyz(c.one)).status === 'ready' && (await readyz(c.two)).status === 'ready',
          'both instances are ready again',
        );
        failuresWhenBack = await failures(c.one);
      }
      c.world.pay(payer, payees[i % 2]!, 100 + i);
      total += 100 + i;
      sent.push(await settleTwice(payees[i % 2]!));
    }
    // Events are notifications: those of the outage (Shop A's batches 2 and 3) are lost, and the
    // stream, open throughout, carries on with the first batch after Redis returned.
    expect((await nextFromIndex()).fromIndex).toBe(4);
    stream.close();
    // Every batch again, on either instance: the stored answer, nothing moves twice.
    for (const [i, s] of sent.entries()) {
      const again = await c.world.settle(s.sealed, {}, i % 2 ? c.one : c.two);
      expect(again.json<{ replayed: boolean; signed: string }>()).toMatchObject({
        replayed: true,
        signed: s.signed,
      });
    }
    const [row] = await c.world.db.query<{ n: bigint; settled: bigint }>(
      "SELECT count(*) AS n, count(*) FILTER (WHERE status = 'settled') AS settled FROM payments",
    );
    expect(row).toEqual({ n: 10n, settled: 10n });
    const credited = await Promise.all(payees.map((p) => c.world.balance(p.user.accountId)));
    expect(credited[0]! + credited[1]!).toBe(BigInt(total));
    expect(await c.world.balance(await c.world.reserveAccount(payer.user))).toBe(
      100_000n - BigInt(total),
    );
    await assertLedgerInvariants(c.world.db);
    expect(await reserveViolations(c.world.db)).toEqual([]);
    // Failures were counted while Redis was down, and none since it came back: the fast paths
    // (result cache, payee lock, rate-limit counter) work again without a restart.
    expect(failuresWhenBack).toBeGreaterThan(0);
    expect(await failures(c.one)).toBe(failuresWhenBack);
  });
});

/** Listens on instance 1 and follows the payee's events there. */
async function followOnInstanceOne(payee: PayeeDevice): Promise<SseStream> {
  await c.one.listen({ port: 0, host: '127.0.0.1' });
  const { port } = c.one.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/v1/settlements/events?payeeKid=${toHex(payee.kid)}`;
  const stream = await SseStream.open(url, payee.user.token);
  if (!(stream instanceof SseStream)) throw new Error(`refused: ${stream.status}`);
  await stream.next((f) => f.comment?.startsWith('following') ?? false);
  return stream;
}

/** While Redis is down: reads and logins work from Postgres; a challenge cannot be issued. */
async function expectDegradedButServing(): Promise<void> {
  const user = await c.world.user();
  const me = await c.two.inject({ method: 'GET', url: '/v1/accounts/me', headers: auth(user) });
  expect(me.statusCode, me.body).toBe(200);
  expect((await c.one.inject({ method: 'GET', url: '/v1/revocations' })).statusCode).toBe(200);
  const challenge = await c.two.inject({
    method: 'POST',
    url: '/v1/enrollment/challenge',
    headers: auth(user),
  });
  expect(challenge.statusCode).toBe(503);
  expect(challenge.json<{ code: string }>().code).toBe('BANK_UNAVAILABLE');
  expect(challenge.headers['retry-after']).toBe('5');
}

describe('Redis unreachable from the start', () => {
  it('settles from Postgres and says degraded', async () => {
    const stores = await createRedisStores('redis://127.0.0.1:1', { prefix: 'offpay-test-down:' });
    // Enrollment needs its challenges: enroll first on the in-process stores, then settle on an
    // instance whose Redis is unreachable.
    const world = await World.create();
    try {
      const payer = await world.payer(1_000n);
      const payee = await world.payee();
      if (!world.schema) throw new Error('needs Postgres');
      const down = await buildTestApp({ db: world.schema.open(), stores, now: () => world.clock });
      try {
        expect(await readyz(down)).toEqual({ status: 'degraded', database: 'ok', redis: 'down' });
        world.pay(payer, payee, 400);
        const { sealed } = await world.batch(payee);
        const first = await world.settle(sealed, {}, down);
        expect(first.statusCode, first.body).toBe(200);
        expect((await world.settle(sealed, {}, down)).json<{ replayed: boolean }>().replayed).toBe(
          true,
        );
        expect(await world.balance(payee.user.accountId)).toBe(400n);
      } finally {
        await down.close();
      }
    } finally {
      await world.close();
      await stores.close();
    }
  });
});

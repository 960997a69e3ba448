/**
 * Webhooks are never lost (issue #13 item 6): with Redis down (a redis-server of this test's own,
 * killed as a crash would) a settlement's event is still delivered, since only Postgres and the
 * receiver take part; and an event left pending by a bank that stopped is delivered by the next
 * bank started on the same database; Postgres unreachable for a while stalls nothing for good:
 * the worker logs, keeps the process up, and delivers once Postgres is back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/kv/redis.js';
import { createPgDatabase } from '../../../src/db/pg.js';
import { buildTestApp, LogCapture } from '../../helpers/app.js';
import { TEST_DATABASE_URL } from '../../helpers/env.js';
import { TcpProxy } from '../../helpers/tcp.js';
import { FAST_WEBHOOKS, Receiver, verifyOffpaySignature } from '../../helpers/webhooks.js';
import { World, type PayeeDevice, type PayerDevice } from '../../helpers/world.js';
import { eventually, PrivateRedis, redisPrefix } from '../../redis/helpers.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function registered(world: World, payee: PayeeDevice, r: Receiver) {
  const res = await world.post('/v1/webhooks', { url: r.url }, payee.user);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ endpoint: { id: string }; secret: string }>();
}

async function settleOne(
  world: World,
  payee: PayeeDevice,
  amount: number,
  payer?: PayerDevice,
): Promise<void> {
  world.pay(payer ?? (await world.payer(10_000n)), payee, amount);
  const res = await world.settle((await world.batch(payee)).sealed);
  expect(res.statusCode, res.body).toBe(200);
  world.settledAll(payee);
}

async function status(world: World, endpointId: string): Promise<string[]> {
  const rows = await world.db.query<{ status: string }>(
    'SELECT status FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq',
    [endpointId],
  );
  return rows.map((r) => r.status);
}

describe('Redis down', () => {
  it('a settlement made while Redis is stopped is delivered, signed, after the receiver recovers', async () => {
    const redis = await PrivateRedis.start();
    closers.push(() => redis.stop());
    const stores = await createRedisStores(redis.url, { prefix: redisPrefix() });
    closers.push(() => stores.close());
    const world = await World.create({ stores, config: { webhooks: FAST_WEBHOOKS } });
    closers.push(() => world.close());
    // The receiver fails the first attempt, then recovers: the retry also happens without Redis.
    const r = await Receiver.start([500]);
    closers.push(() => r.close());
    const payee = await world.payee('Outage Hooks');
    const { endpoint, secret } = await registered(world, payee, r);
    // Enrolling needs Redis (its challenge has no fallback); paying and settling do not.
    const payer = await world.payer(10_000n);

    await redis.stop();
    const ready = await world.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ redis: 'down' });
    await settleOne(world, payee, 700, payer);
    await eventually(
      async () => (await status(world, endpoint.id)).join() === 'delivered',
      'the event was delivered with Redis down',
    );
    expect(r.received).toHaveLength(2);
    const got = r.received[1]!;
    expect(verifyOffpaySignature(got.body, String(got.headers['offpay-signature']), secret)).toBe(
      true,
    );
    expect(JSON.parse(got.body)).toMatchObject({
      type: 'settlement.settled',
      data: { totalMinor: '700' },
    });
  });
});

describe('a bank restart', () => {
  it('delivers what the stopped bank left pending, once the receiver is back', async () => {
    // The first bank has no delivery worker running: what it writes stays pending.
    const world = await World.create({ config: { webhooks: { ...FAST_WEBHOOKS, pollMs: 0 } } });
    closers.push(() => world.close());
    const r = await Receiver.start([503]);
    closers.push(() => r.close());
    const payee = await world.payee('Restart Hooks');
    const { endpoint } = await registered(world, payee, r);
    await settleOne(world, payee, 300);
    await settleOne(world, payee, 400);
    expect(await status(world, endpoint.id)).toEqual(['pending', 'pending']);
    expect(r.received).toHaveLength(0);

    // "Restart": close the bank, build a new one on the same database.
    await world.app.close();
    world.app = await buildTestApp({
      db: world.db,
      now: () => world.clock,
      config: { webhooks: FAST_WEBHOOKS },
    });
    await eventually(
      async () => (await status(world, endpoint.id)).join() === 'delivered,delivered',
      'the new bank delivered both events',
    );
    const totals = r.received.map((x) => JSON.parse(x.body) as { data: { totalMinor: string } });
    // The first attempt met a 503 and was retried: 3 requests for 2 events.
    expect(r.received).toHaveLength(3);
    expect(new Set(totals.map((t) => t.data.totalMinor))).toEqual(new Set(['300', '400']));

    // Restarted once more without WEBHOOK_ALLOW_HTTP: the http endpoint is not called any more.
    await world.app.close();
    world.app = await buildTestApp({
      db: world.db,
      now: () => world.clock,
      config: { webhooks: { ...FAST_WEBHOOKS, allowLocalHttp: false } },
    });
    await settleOne(world, payee, 500);
    await eventually(
      async () => (await status(world, endpoint.id)).join() === 'delivered,delivered,failed',
      'the third event was given up',
    );
    const [last] = await world.db.query<{ last_error: string }>(
      'SELECT last_error FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq DESC LIMIT 1',
      [endpoint.id],
    );
    expect(last!.last_error).toBe('the URL is no longer allowed');
    expect(r.received).toHaveLength(3);
  });
});

describe('Postgres unreachable, then back', () => {
  it('the worker logs and keeps running; the event is delivered once Postgres returns', async () => {
    const world = await World.create({ config: { webhooks: { ...FAST_WEBHOOKS, pollMs: 0 } } });
    closers.push(() => world.close());
    const r = await Receiver.start();
    closers.push(() => r.close());
    const payee = await world.payee('Pg Down Hooks');
    const { endpoint } = await registered(world, payee, r);
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    closers.push(() => proxy.close());
    const db = createPgDatabase(proxy.url(world.schema!.url), { max: 2 });
    closers.push(() => db.close());
    const logs = new LogCapture();
    // A second bank whose only way to Postgres is the proxy; its worker runs, the first's does not.
    const app = await buildTestApp({ db, logs, config: { webhooks: FAST_WEBHOOKS } });
    closers.push(() => app.close());
    await proxy.cut();
    await settleOne(world, payee, 900);
    await eventually(
      () => Promise.resolve(logs.text().includes('webhook delivery run failed')),
      'the worker logged a failed run',
    );
    expect(r.received).toHaveLength(0);

    await proxy.restore();
    await eventually(
      async () => (await status(world, endpoint.id)).join() === 'delivered',
      'the event was delivered after Postgres came back',
    );
    expect(r.received).toHaveLength(1);
  });
});

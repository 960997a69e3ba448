/**
 * A hung Redis (issue #10 item 5): connected but never answering, as after SIGSTOP — simulated by
 * a TCP proxy in front of the shared Redis that stops passing bytes (test/helpers/tcp.ts), so the
 * shared server is never touched. Settlements go on from Postgres; the bank waits for Redis at
 * most one command timeout and then skips it for a while (src/kv/breaker.ts), instead of ~4
 * timeouts per settlement; and no per-payee lock outlives its request once Redis wakes up.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStores } from '../../src/kv/kv.js';
import { createRedisStores } from '../../src/kv/redis.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { TcpProxy } from '../helpers/tcp.js';
import { World } from '../helpers/world.js';
import { eventually, redisPrefix } from './helpers.js';

let proxy: TcpProxy;
let direct: Redis;
beforeAll(async () => {
  const target = new URL(TEST_REDIS_URL);
  proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
  direct = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  direct.disconnect();
  await proxy.close();
});

/** Stores through the proxy, under a fresh prefix. */
async function hungableStores(): Promise<{ stores: KeyValueStores; prefix: string }> {
  const prefix = redisPrefix();
  return { stores: await createRedisStores(proxy.url(TEST_REDIS_URL), { prefix }), prefix };
}

describe('settlements while Redis hangs', () => {
  let world: World;
  let stores: KeyValueStores;
  let prefix: string;
  beforeAll(async () => {
    ({ stores, prefix } = await hungableStores());
    world = await World.create({ stores });
  });
  afterAll(async () => {
    proxy.thaw();
    await world.close();
    await stores.close();
  });

  it('all settle from Postgres; the bank stops asking Redis after one timeout; no lock lingers', async () => {
    const payer = await world.payer(100_000n);
    const payee = await world.payee();
    const settleNext = async () => {
      world.pay(payer, payee, 100);
      const res = await world.settle((await world.batch(payee)).sealed);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ replayed: false, results: [{ status: 'settled' }] });
      world.settledAll(payee);
    };
    await settleNext();

    proxy.freeze();
    const settlements = 5;
    for (let i = 0; i < settlements; i++) await settleNext();
    // Each settlement used to send ~4 commands (rate limit, result cache, lock, release), each
    // waiting its full timeout: now the first timeout pauses Redis and the rest are skipped.
    expect(proxy.heldRedisCommands()).toBeLessThan(settlements);
    expect((await world.get('/readyz')).json()).toMatchObject({ status: 'degraded' });

    proxy.thaw();
    await eventually(
      async () => (await world.get('/readyz')).json<{ status: string }>().status === 'ready',
      'Redis answers again',
    );
    expect(await direct.keys(`${prefix}lock:*`)).toEqual([]);
    await settleNext();
    expect(await world.balance(payee.user.accountId)).toBe(700n);
  });
});

describe('the per-payee lock when Redis hangs', () => {
  it('a lock whose SET timed out is released as soon as Redis wakes up', async () => {
    const { stores, prefix } = await hungableStores();
    try {
      proxy.freeze();
      await expect(stores.lock.tryAcquire('payee:1', 60_000)).rejects.toThrow(/timed out/);
      proxy.thaw();
      // Replies come in order: once PING answers, the SET sent while frozen has run.
      expect(await stores.ping()).toBe(true);
      expect(await direct.exists(`${prefix}lock:payee:1`)).toBe(0);
      expect(await stores.lock.tryAcquire('payee:1', 60_000)).not.toBeNull();
    } finally {
      proxy.thaw();
      await stores.close();
    }
  });

  it('a lock held when Redis stopped answering is released when it wakes up', async () => {
    const { stores, prefix } = await hungableStores();
    try {
      const token = await stores.lock.tryAcquire('payee:2', 60_000);
      expect(token).not.toBeNull();
      proxy.freeze();
      await expect(stores.cache.get('anything')).rejects.toThrow(/timed out/);
      // Redis is paused now: the release does not wait, but it is on its way.
      expect(await stores.lock.release('payee:2', token!)).toBe(false);
      proxy.thaw();
      expect(await stores.ping()).toBe(true);
      expect(await direct.exists(`${prefix}lock:payee:2`)).toBe(0);
    } finally {
      proxy.thaw();
      await stores.close();
    }
  });
});

/**
 * Settlement's fast paths over real Redis: the per-payee lock makes a second batch wait (without
 * a database connection) and never blocks for ever; when Redis is down both paths step aside.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payeeLock, resultCache } from '../../src/kv/fast-paths.js';
import type { KeyValueStores } from '../../src/kv/kv.js';
import { createRedisStores } from '../../src/kv/redis.js';
import { TEST_REDIS_URL } from '../helpers/env.js';

let kv: KeyValueStores;
beforeAll(async () => {
  kv = await createRedisStores(TEST_REDIS_URL, {
    prefix: `offpay-test:${randomBytes(6).toString('hex')}:`,
  });
});
afterAll(async () => {
  await kv.close();
});

describe('per-payee lock', () => {
  it('makes a second holder of one payee wait for the first, and leaves other payees alone', async () => {
    const lock = payeeLock(kv.lock, { ttlMs: 5_000, maxWaitMs: 2_000 });
    const order: string[] = [];
    const release = await lock.acquire(1);
    const waiting = lock.acquire(1).then((r) => {
      order.push('second');
      return r;
    });
    const other = await lock.acquire(2);
    order.push('other payee');
    await new Promise((resolve) => setTimeout(resolve, 50));
    order.push('first releases');
    await release();
    await (
      await waiting
    )();
    await other();
    expect(order).toEqual(['other payee', 'first releases', 'second']);
  });

  it('stops waiting after maxWaitMs: the Postgres row lock decides', async () => {
    const lock = payeeLock(kv.lock, { ttlMs: 10_000, maxWaitMs: 100 });
    const held = await lock.acquire(3);
    const started = Date.now();
    await (
      await lock.acquire(3)
    )();
    expect(Date.now() - started).toBeLessThan(1_000);
    await held();
  });
});

describe('when Redis is unreachable', () => {
  it('the lock grants at once and the result cache misses', async () => {
    const down = await createRedisStores('redis://127.0.0.1:1', { prefix: 'offpay-test-down:' });
    try {
      const release = await payeeLock(down.lock).acquire(1);
      await expect(release()).resolves.toBeUndefined();
      const results = resultCache(down.cache);
      await expect(results.put(new Uint8Array(32), new Uint8Array(8))).resolves.toBeUndefined();
      expect(await results.get(new Uint8Array(32))).toBeNull();
    } finally {
      await down.close();
    }
  });
});

describe('result cache', () => {
  it('misses on an entry that is not a signed result of this batch', async () => {
    const results = resultCache(kv.cache);
    const batchKey = new Uint8Array(32).fill(7);
    await results.put(batchKey, new Uint8Array([1, 2, 3]));
    expect(await results.get(batchKey)).toBeNull();
  });
});

/**
 * One contract, two implementations: the in-process stores and real Redis must behave alike,
 * so the embedded default is a faithful stand-in for production.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStores } from '../../src/kv/kv.js';
import { createMemoryStores } from '../../src/kv/memory.js';
import { createRedisStores } from '../../src/kv/redis.js';
import { TEST_REDIS_URL } from '../helpers/env.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done()` (pub/sub delivers asynchronously on both backends). */
async function until(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a message');
    await sleep(5);
  }
}

const backends: [string, () => Promise<KeyValueStores>][] = [
  ['memory', () => Promise.resolve(createMemoryStores())],
  [
    'redis',
    () =>
      createRedisStores(TEST_REDIS_URL, {
        prefix: `offpay-test:${randomBytes(6).toString('hex')}:`,
      }),
  ],
];

describe.each(backends)('key-value contract: %s', (_name, make) => {
  let kv: KeyValueStores;
  beforeAll(async () => {
    kv = await make();
  });
  afterAll(async () => {
    await kv.close();
  });

  it('answers ping', async () => {
    expect(await kv.ping()).toBe(true);
  });

  it('hands out a challenge once, and to exactly one of many concurrent takers', async () => {
    await kv.challenges.put('c1', 'value-1', 60);
    expect(await kv.challenges.take('c1')).toBe('value-1');
    expect(await kv.challenges.take('c1')).toBeNull();
    expect(await kv.challenges.take('never-put')).toBeNull();
    await kv.challenges.put('c2', 'value-2', 60);
    const takes = await Promise.all(Array.from({ length: 20 }, () => kv.challenges.take('c2')));
    expect(takes.filter((t) => t !== null)).toEqual(['value-2']);
  });

  it('expires challenges and cache entries after their TTL', async () => {
    await kv.challenges.put('short', 'x', 1);
    await kv.cache.set('short', 'y', 1);
    await kv.cache.set('cas-short', 'x', 1);
    await sleep(1_100);
    expect(await kv.challenges.take('short')).toBeNull();
    expect(await kv.cache.get('short')).toBeNull();
    // An expired value is absent: comparing against it fails, and "only when absent" succeeds.
    expect(await kv.cache.compareAndSet('cas-short', 'x', 'y', 60)).toBe(false);
    expect(await kv.cache.compareAndSet('cas-short', null, 'y', 60)).toBe(true);
  });

  it('caches, overwrites, deletes, and sets only when absent', async () => {
    expect(await kv.cache.get('k')).toBeNull();
    await kv.cache.set('k', 'v1', 60);
    await kv.cache.set('k', 'v2', 60);
    expect(await kv.cache.get('k')).toBe('v2');
    expect(await kv.cache.setIfAbsent('k', 'v3', 60)).toBe(false);
    expect(await kv.cache.get('k')).toBe('v2');
    await kv.cache.delete('k');
    expect(await kv.cache.get('k')).toBeNull();
    expect(await kv.cache.setIfAbsent('k', 'v4', 60)).toBe(true);
    expect(await kv.cache.get('k')).toBe('v4');
  });

  it('compares and sets: only over the value seen, or only when absent', async () => {
    expect(await kv.cache.compareAndSet('cas', null, 'a', 60)).toBe(true);
    expect(await kv.cache.compareAndSet('cas', null, 'b', 60)).toBe(false);
    expect(await kv.cache.compareAndSet('cas', 'not-a', 'b', 60)).toBe(false);
    expect(await kv.cache.get('cas')).toBe('a');
    expect(await kv.cache.compareAndSet('cas', 'a', 'b', 60)).toBe(true);
    expect(await kv.cache.get('cas')).toBe('b');
    // Of many writers that saw the same value, exactly one wins.
    const wins = await Promise.all(
      Array.from({ length: 10 }, (_, i) => kv.cache.compareAndSet('cas', 'b', `c${i}`, 60)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('publishes to every current subscriber of a channel, and to nobody else', async () => {
    const got: string[] = [];
    const a = await kv.pubsub.subscribe('ch', (m) => got.push(`a:${m}`));
    const b = await kv.pubsub.subscribe('ch', (m) => got.push(`b:${m}`));
    const other = await kv.pubsub.subscribe('other', (m) => got.push(`other:${m}`));
    await kv.pubsub.publish('ch', 'one');
    await until(() => got.length >= 2);
    expect(got.sort()).toEqual(['a:one', 'b:one']);
    await a();
    await kv.pubsub.publish('ch', 'two');
    await until(() => got.length >= 3);
    await sleep(50);
    expect(got.slice(2)).toEqual(['b:two']);
    await Promise.all([b(), other(), b()]);
    await kv.pubsub.publish('ch', 'three');
    await sleep(50);
    expect(got).toHaveLength(3);
  });

  it('keeps delivering to the others when a subscriber throws', async () => {
    const got: string[] = [];
    const bad = await kv.pubsub.subscribe('throws', () => {
      throw new Error('listener failed');
    });
    const good = await kv.pubsub.subscribe('throws', (m) => got.push(m));
    await kv.pubsub.publish('throws', 'still here');
    await until(() => got.length > 0);
    expect(got).toEqual(['still here']);
    await Promise.all([bad(), good()]);
  });

  it('keeps roles apart: a cache key never answers a challenge', async () => {
    await kv.cache.set('shared-name', 'cache', 60);
    expect(await kv.challenges.take('shared-name')).toBeNull();
    expect(await kv.cache.get('shared-name')).toBe('cache');
  });

  it('locks exclusively, releases only with the holder token, and expires', async () => {
    const token = await kv.lock.tryAcquire('l', 5_000);
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(await kv.lock.tryAcquire('l', 5_000)).toBeNull();
    expect(await kv.lock.release('l', 'not-the-token')).toBe(false);
    expect(await kv.lock.tryAcquire('l', 5_000)).toBeNull();
    expect(await kv.lock.release('l', token ?? '')).toBe(true);
    expect(await kv.lock.release('l', token ?? '')).toBe(false);
    const racers = await Promise.all(
      Array.from({ length: 10 }, () => kv.lock.tryAcquire('race', 5_000)),
    );
    expect(racers.filter((t) => t !== null)).toHaveLength(1);
    expect(await kv.lock.tryAcquire('brief', 50)).not.toBeNull();
    await sleep(120);
    expect(await kv.lock.tryAcquire('brief', 50)).not.toBeNull();
  });

  it('counts hits in a fixed window and starts a new window after it', async () => {
    const counts = await Promise.all(Array.from({ length: 5 }, () => kv.counter.incr('hits', 300)));
    expect(counts.map((c) => c.count).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const c of counts) expect(c.resetInMs).toBeGreaterThan(0);
    for (const c of counts) expect(c.resetInMs).toBeLessThanOrEqual(300);
    await sleep(350);
    expect((await kv.counter.incr('hits', 300)).count).toBe(1);
  });

  it('refuses nonsense TTLs the same way', async () => {
    await expect(kv.challenges.put('bad', 'x', 0)).rejects.toThrow(RangeError);
    await expect(kv.cache.set('bad', 'x', 1.5)).rejects.toThrow(RangeError);
    await expect(kv.lock.tryAcquire('bad', -1)).rejects.toThrow(RangeError);
    await expect(kv.counter.incr('bad', 0)).rejects.toThrow(RangeError);
    await expect(kv.cache.compareAndSet('bad', null, 'x', 0)).rejects.toThrow(RangeError);
  });
});

describe('Redis stores when Redis is unreachable', () => {
  it('fail fast instead of queueing, and report not ready', async () => {
    const started = Date.now();
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const kv = await createRedisStores('redis://127.0.0.1:1', { prefix: 'offpay-test-down:' });
    try {
      expect(await kv.ping()).toBe(false);
      await expect(kv.cache.get('k')).rejects.toThrow();
      await expect(kv.challenges.take('c')).rejects.toThrow();
      await expect(kv.lock.tryAcquire('l', 1000)).rejects.toThrow();
      await expect(kv.cache.compareAndSet('k', null, 'v', 60)).rejects.toThrow();
      await expect(kv.pubsub.publish('ch', 'm')).rejects.toThrow();
      await expect(kv.pubsub.subscribe('ch', () => undefined)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await kv.close();
    }
  });
});

describe('Redis pub/sub across instances', () => {
  it('delivers a message published by one bank instance to the subscribers of another', async () => {
    const prefix = `offpay-test:${randomBytes(6).toString('hex')}:`;
    const [one, two] = await Promise.all([
      createRedisStores(TEST_REDIS_URL, { prefix }),
      createRedisStores(TEST_REDIS_URL, { prefix }),
    ]);
    const foreign = await createRedisStores(TEST_REDIS_URL, { prefix: `${prefix}other:` });
    try {
      const got: string[] = [];
      const stop = await one.pubsub.subscribe('payee', (m) => got.push(m));
      await foreign.pubsub.publish('payee', 'another prefix: another bank');
      await two.pubsub.publish('payee', 'settled');
      await until(() => got.length > 0);
      await sleep(50);
      expect(got).toEqual(['settled']);
      await stop();
    } finally {
      await Promise.all([one.close(), two.close(), foreign.close()]);
    }
  });
});

/**
 * The read-through cache and its invalidation after COMMIT, on both backends and real Postgres:
 * a reader racing a writer can never leave the old value in the cache, and a cache that fails
 * only costs speed, never the answer.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterCommit, trackCommits } from '../../src/kv/after-commit.js';
import type { KeyValueStores } from '../../src/kv/kv.js';
import { createMemoryStores } from '../../src/kv/memory.js';
import { readThroughCache } from '../../src/kv/read-through.js';
import { createRedisStores } from '../../src/kv/redis.js';
import { createTestSchema, type TestSchema } from '../helpers/db.js';
import { TEST_REDIS_URL } from '../helpers/env.js';

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

const numbers = (kv: KeyValueStores) =>
  readThroughCache<number>(kv.cache, {
    namespace: 'n',
    ttlSeconds: 60,
    encode: String,
    decode: (t) => (/^\d+$/.test(t) ? Number(t) : undefined),
  });

describe.each(backends)('read-through cache: %s', (_name, make) => {
  let kv: KeyValueStores;
  beforeAll(async () => {
    kv = await make();
  });
  afterAll(async () => {
    await kv.close();
  });

  it('loads once, serves from the cache, and loads again after an invalidation', async () => {
    const cache = numbers(kv);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await cache.get('k', load)).toBe(1);
    expect(await cache.get('k', load)).toBe(1);
    await cache.invalidate('k');
    expect(await cache.get('k', load)).toBe(2);
    expect(loads).toBe(2);
  });

  it('refuses the fill of a reader whose load began before an invalidation', async () => {
    const cache = numbers(kv);
    let db = 1;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The slow reader reads the old row, then the writer commits and invalidates, then the
    // reader tries to cache what it read.
    const slow = cache.get('race', async () => {
      const seen = db;
      await gate;
      return seen;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    db = 2;
    await cache.invalidate('race');
    release();
    expect(await slow).toBe(1);
    expect(await cache.get('race', () => Promise.resolve(db))).toBe(2);
  });

  it('treats a slot it cannot decode as a miss', async () => {
    await kv.cache.set('n:bad', 'v:not-a-number', 60);
    expect(await numbers(kv).get('bad', () => Promise.resolve(7))).toBe(7);
    expect(await numbers(kv).get('bad', () => Promise.resolve(8))).toBe(7);
  });
});

describe('read-through cache on an unreachable Redis', () => {
  it('answers from the loader every time, and invalidation never rejects', async () => {
    const kv = await createRedisStores('redis://127.0.0.1:1', { prefix: 'offpay-test-down:' });
    try {
      const cache = numbers(kv);
      let loads = 0;
      expect(await cache.get('k', () => Promise.resolve(++loads))).toBe(1);
      expect(await cache.get('k', () => Promise.resolve(++loads))).toBe(2);
      await expect(cache.invalidate('k')).resolves.toBeUndefined();
    } finally {
      await kv.close();
    }
  });
});

describe('after-commit hooks on real Postgres', () => {
  let schema: TestSchema;
  beforeAll(async () => {
    schema = await createTestSchema();
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('run after COMMIT, when the change is visible to other connections; never after ROLLBACK', async () => {
    const raw = schema.open();
    const db = trackCommits(raw);
    await db.exec('CREATE TABLE t (v int)');
    const seen: number[] = [];
    const count = async () =>
      Number((await raw.query<{ n: bigint }>('SELECT count(*) AS n FROM t'))[0]!.n);
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      await afterCommit(tx, async () => {
        seen.push(await count());
      });
      // Not yet: the hook waits for COMMIT.
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([1]);
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2)');
        await afterCommit(tx, () => {
          seen.push(-1);
          return Promise.resolve();
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(seen).toEqual([1]);
    // On a connection that is not a tracked transaction, the hook runs at once.
    await afterCommit(raw, async () => {
      seen.push(await count());
    });
    expect(seen).toEqual([1, 1]);
  });
});

/**
 * Redis implementations of the key-value interfaces. They fail fast when Redis is unreachable
 * (no offline queue, one retry, short timeouts) so that callers can fall back to Postgres or
 * answer 503 at once instead of hanging; the client keeps reconnecting in the background.
 *
 * A Redis that is connected but does not answer (SIGSTOP, a stuck network) is worse: every
 * command would wait its full timeout. So the first command that times out pauses Redis for
 * {@link REDIS_PAUSE_MS}: meanwhile every call fails at once (callers fall back exactly as when
 * Redis is down), then the next call tries again. A request therefore waits for a hung Redis at
 * most one {@link REDIS_COMMAND_TIMEOUT_MS} (docs/operations.md "Redis faults").
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  assertTtl,
  type Cache,
  type ChallengeStore,
  type Counter,
  type KeyValueStores,
  type Lock,
} from './kv.js';
import { Breaker, isTimeout, REDIS_COMMAND_TIMEOUT_MS } from './breaker.js';
import { redisPubSub } from './redis-pubsub.js';

export { REDIS_COMMAND_TIMEOUT_MS, REDIS_PAUSE_MS } from './breaker.js';

/** Options for {@link createRedisStores}. */
export interface RedisStoresOptions {
  /** Prepended to every key (tests isolate themselves with a random prefix). */
  prefix?: string;
  /** Called on connection errors (once per outage, not once per retry). */
  onError?: (err: Error) => void;
  /** Called when the connection is (re-)established. */
  onReady?: () => void;
}

// Compare-and-delete: only the holder's token releases the lock (Redis docs, "Distributed
// locks with Redis", single-instance algorithm).
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
// INCR and open the window on the first hit, atomically, returning the count and what remains.
const INCR_LUA = `local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {c, redis.call('PTTL', KEYS[1])}`;
// Compare-and-set: ARGV = has-expected (0/1), expected, value, ttl seconds. GET gives false when
// the key is absent.
const CAS_LUA = `local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then return 0 end
elseif cur then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
return 1`;

const RETRY_CAP_MS = 5_000;

function connect(url: string, options: RedisStoresOptions): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    // Commands issued in the same tick leave in one write (a settlement's balance invalidations,
    // and every concurrent request's rate-limit counters and cache reads): fewer syscalls and
    // round trips under load, each command still answered (or failed) on its own.
    enableAutoPipelining: true,
    // Reconnect for ever, backing off to 5 s: Redis coming back must heal the bank by itself.
    retryStrategy: (attempt) => Math.min(attempt * 250, RETRY_CAP_MS),
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) options.onError?.(err);
    down = true;
  });
  client.on('ready', () => {
    down = false;
    options.onReady?.();
  });
  return client;
}

type Key = (role: string, key: string) => string;

/** What every store runs its commands through. */
interface Conn {
  client: Redis;
  breaker: Breaker;
  k: Key;
}

function redisChallenges({ client, breaker, k }: Conn): ChallengeStore {
  return {
    async put(id, value, ttlSeconds) {
      assertTtl(ttlSeconds, 'ttlSeconds');
      await breaker.run(() => client.set(k('challenge', id), value, 'EX', ttlSeconds));
    },
    // GETDEL (Redis ≥ 6.2) is atomic: a challenge can be answered once.
    take: (id) => breaker.run(() => client.getdel(k('challenge', id))),
  };
}

function redisCache({ client, breaker, k }: Conn): Cache {
  return {
    get: (key) => breaker.run(() => client.get(k('cache', key))),
    async set(key, value, ttlSeconds) {
      assertTtl(ttlSeconds, 'ttlSeconds');
      await breaker.run(() => client.set(k('cache', key), value, 'EX', ttlSeconds));
    },
    async setIfAbsent(key, value, ttlSeconds) {
      assertTtl(ttlSeconds, 'ttlSeconds');
      const reply = await breaker.run(() =>
        client.set(k('cache', key), value, 'EX', ttlSeconds, 'NX'),
      );
      return reply === 'OK';
    },
    async delete(key) {
      await breaker.run(() => client.del(k('cache', key)));
    },
    async compareAndSet(key, expected, value, ttlSeconds) {
      assertTtl(ttlSeconds, 'ttlSeconds');
      const args = [expected === null ? '0' : '1', expected ?? '', value, ttlSeconds];
      return (await breaker.run(() => client.eval(CAS_LUA, 1, k('cache', key), ...args))) === 1;
    },
  };
}

function redisLock({ client, breaker, k }: Conn): Lock {
  return {
    async tryAcquire(key, ttlMs) {
      assertTtl(ttlMs, 'ttlMs');
      const token = randomBytes(16).toString('hex');
      try {
        const ok = await breaker.run(() => client.set(k('lock', key), token, 'PX', ttlMs, 'NX'));
        return ok === 'OK' ? token : null;
      } catch (err) {
        // A SET that timed out may still run when Redis wakes up, and then hold the lock for
        // ttlMs with nobody to release it. The release is queued right behind it on the same
        // connection, so Redis runs both in order: the lock never outlives this request.
        // Not awaited: the caller goes on without the lock now.
        if (isTimeout(err)) {
          client.eval(RELEASE_LUA, 1, k('lock', key), token).catch(() => undefined);
        }
        throw err;
      }
    },
    async release(key, token) {
      const release = () => client.eval(RELEASE_LUA, 1, k('lock', key), token);
      if (breaker.paused) {
        // Sent anyway, not awaited: it runs behind whatever this connection sent before, so a
        // lock held when Redis stopped answering is released as soon as Redis wakes up.
        release().catch(() => undefined);
        return false;
      }
      return (await breaker.run(release)) === 1;
    },
  };
}

function redisCounter({ client, breaker, k }: Conn): Counter {
  return {
    async incr(key, windowMs) {
      assertTtl(windowMs, 'windowMs');
      const reply = await breaker.run(() => client.eval(INCR_LUA, 1, k('counter', key), windowMs));
      const [count, pttl] = reply as [number, number];
      return { count, resetInMs: Math.max(0, pttl) };
    },
  };
}

/**
 * Connects to Redis at `url` and returns the stores. Never throws for an unreachable Redis: the
 * stores then reject each call quickly, `ping()` is false, and the client keeps retrying.
 */
export async function createRedisStores(
  url: string,
  options: RedisStoresOptions = {},
): Promise<KeyValueStores> {
  const client = connect(url, options);
  // Subscriptions need a connection of their own; its outages are the same as the client's, so
  // they are reported once, by the client.
  const subscriber = connect(url, {});
  await Promise.all([client.connect(), subscriber.connect()].map((p) => p.catch(() => undefined)));
  const prefix = options.prefix ?? 'offpay:';
  const k: Key = (role, key) => `${prefix}${role}:${key}`;
  const conn: Conn = { client, breaker: new Breaker(), k };
  return {
    backend: 'redis',
    challenges: redisChallenges(conn),
    cache: redisCache(conn),
    lock: redisLock(conn),
    counter: redisCounter(conn),
    pubsub: redisPubSub(conn.breaker, client, subscriber, (channel) => k('pubsub', channel)),
    async ping() {
      // Ready means every role works: live events need the subscriber connection too.
      if (subscriber.status !== 'ready') return false;
      try {
        // Never skipped: /readyz, polled by the load balancer, is how a paused Redis is retried.
        const ok = (await client.ping()) === 'PONG';
        if (ok) conn.breaker.answered();
        return ok;
      } catch {
        return false;
      }
    },
    async close() {
      // QUIT lets pending replies arrive; a client that is not connected is simply dropped.
      for (const c of [client, subscriber]) {
        if (c.status === 'ready') await c.quit().catch(() => undefined);
        c.disconnect();
      }
    },
  };
}

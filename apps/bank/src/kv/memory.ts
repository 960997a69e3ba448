/**
 * In-process implementations of the key-value interfaces, for the embedded default (a single
 * bank instance). JavaScript runs one callback at a time, so each method is atomic.
 */
import { randomBytes } from 'node:crypto';
import {
  assertTtl,
  type Cache,
  type ChallengeStore,
  type Counter,
  type KeyValueStores,
  type Lock,
  type PubSub,
} from './kv.js';

interface Slot {
  value: string;
  expiresAt: number;
}

/** A map whose entries expire; expired entries are dropped when touched and by a periodic sweep. */
class ExpiringMap {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly now: () => number) {}

  get(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot && slot.expiresAt <= this.now()) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }

  set(key: string, value: string, ttlMs: number): void {
    this.slots.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  delete(key: string): boolean {
    return this.slots.delete(key);
  }

  sweep(): void {
    const now = this.now();
    for (const [key, slot] of this.slots) if (slot.expiresAt <= now) this.slots.delete(key);
  }
}

/** Runs a synchronous step as a promise, so that a refused argument rejects as it does with Redis. */
function settle<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

// Each role has its own key namespace, as with Redis, so a cache key never answers a challenge.
const ns = (role: string, key: string) => `${role}:${key}`;

function memoryChallenges(map: ExpiringMap): ChallengeStore {
  return {
    put: (id, value, ttlSeconds) =>
      settle(() => {
        assertTtl(ttlSeconds, 'ttlSeconds');
        map.set(ns('challenge', id), value, ttlSeconds * 1000);
      }),
    take: (id) =>
      settle(() => {
        const slot = map.get(ns('challenge', id));
        map.delete(ns('challenge', id));
        return slot?.value ?? null;
      }),
  };
}

function memoryCache(map: ExpiringMap): Cache {
  const set = (key: string, value: string, ttlSeconds: number) => {
    assertTtl(ttlSeconds, 'ttlSeconds');
    map.set(ns('cache', key), value, ttlSeconds * 1000);
  };
  return {
    get: (key) => settle(() => map.get(ns('cache', key))?.value ?? null),
    set: (key, value, ttlSeconds) => settle(() => set(key, value, ttlSeconds)),
    setIfAbsent: (key, value, ttlSeconds) =>
      settle(() => {
        assertTtl(ttlSeconds, 'ttlSeconds');
        if (map.get(ns('cache', key))) return false;
        set(key, value, ttlSeconds);
        return true;
      }),
    delete: (key) => settle(() => void map.delete(ns('cache', key))),
    compareAndSet: (key, expected, value, ttlSeconds) =>
      settle(() => {
        assertTtl(ttlSeconds, 'ttlSeconds');
        if ((map.get(ns('cache', key))?.value ?? null) !== expected) return false;
        set(key, value, ttlSeconds);
        return true;
      }),
  };
}

/** An in-process event bus: one instance only, which is all the embedded default runs. */
function memoryPubSub(): PubSub {
  const channels = new Map<string, Set<(message: string) => void>>();
  return {
    publish: (channel, message) =>
      settle(() => {
        const listeners = [...(channels.get(channel) ?? [])];
        // Asynchronous like Redis: a publisher never runs subscriber code on its own stack, and a
        // listener that unsubscribed meanwhile gets nothing.
        setImmediate(() => {
          for (const listener of listeners) {
            if (channels.get(channel)?.has(listener)) deliver(listener, message);
          }
        });
      }),
    subscribe: (channel, listener) =>
      settle(() => {
        // A wrapper per subscription: the same function subscribed twice is two subscriptions.
        const own = (message: string) => listener(message);
        const set = channels.get(channel) ?? new Set();
        channels.set(channel, set.add(own));
        return () =>
          settle(() => {
            set.delete(own);
            if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
          });
      }),
  };
}

/** Calls a subscriber; one that throws must not stop delivery to the others. */
export function deliver(listener: (message: string) => void, message: string): void {
  try {
    listener(message);
  } catch {
    // The listener's own failure (a closed stream); nothing the bus can do about it.
  }
}

function memoryLock(map: ExpiringMap): Lock {
  return {
    tryAcquire: (key, ttlMs) =>
      settle(() => {
        assertTtl(ttlMs, 'ttlMs');
        if (map.get(ns('lock', key))) return null;
        const token = randomBytes(16).toString('hex');
        map.set(ns('lock', key), token, ttlMs);
        return token;
      }),
    release: (key, token) =>
      settle(() => map.get(ns('lock', key))?.value === token && map.delete(ns('lock', key))),
  };
}

function memoryCounter(map: ExpiringMap, now: () => number): Counter {
  return {
    incr: (key, windowMs) =>
      settle(() => {
        assertTtl(windowMs, 'windowMs');
        const slot = map.get(ns('counter', key));
        if (!slot) {
          map.set(ns('counter', key), '1', windowMs);
          return { count: 1, resetInMs: windowMs };
        }
        slot.value = String(Number(slot.value) + 1);
        return { count: Number(slot.value), resetInMs: Math.max(0, slot.expiresAt - now()) };
      }),
  };
}

/** In-process {@link KeyValueStores}. `now` (milliseconds) is a parameter for tests. */
export function createMemoryStores(now: () => number = Date.now): KeyValueStores {
  const map = new ExpiringMap(now);
  // Bounded memory: without a sweep, never-read keys (abandoned challenges) would pile up.
  const sweeper = setInterval(() => map.sweep(), 60_000);
  sweeper.unref();
  return {
    backend: 'memory',
    challenges: memoryChallenges(map),
    cache: memoryCache(map),
    lock: memoryLock(map),
    counter: memoryCounter(map, now),
    pubsub: memoryPubSub(),
    ping: () => Promise.resolve(true),
    close() {
      clearInterval(sweeper);
      return Promise.resolve();
    },
  };
}

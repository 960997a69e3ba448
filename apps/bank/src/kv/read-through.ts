/**
 * A read-through cache over {@link Cache} whose invalidation is safe against racing readers, for
 * values Postgres owns (balances, the revocation list).
 *
 * A slot holds `v:<value>` or a tombstone `t:<random>`. Invalidation (after COMMIT) writes a new
 * tombstone; a reader that missed fills the slot with compare-and-set against what it saw BEFORE
 * reading Postgres. So a reader whose database read predates a commit can never put the old value
 * back: the commit's tombstone replaced what it saw, and its fill is refused. Any cache failure
 * falls back to the loader: the cache never changes an answer, only how fast it comes.
 */
import { randomBytes } from 'node:crypto';
import type { Cache } from './kv.js';

/** A typed read-through cache for one kind of value. */
export interface ReadThroughCache<T> {
  /** The cached value of `key`, or `load()` (then cached). Rejects only when `load` does. */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /**
   * Invalidates `key` on every instance sharing the cache; call it after COMMIT. Never rejects:
   * when the backend is down it keeps retrying in the background until the TTL would have
   * expired the entry anyway.
   */
  invalidate(key: string): Promise<void>;
}

/** Options of {@link readThroughCache}. */
export interface ReadThroughOptions<T> {
  /** Key prefix: one namespace per kind of value. */
  namespace: string;
  /** Lifetime of a cached value and of a tombstone: the worst staleness when Redis misbehaves. */
  ttlSeconds: number;
  encode(value: T): string;
  /** Throws (or returns undefined) for a slot it cannot read: then it is a miss. */
  decode(text: string): T | undefined;
}

const RETRY_MS = 1_000;

/** Builds a {@link ReadThroughCache}. */
export function readThroughCache<T>(cache: Cache, o: ReadThroughOptions<T>): ReadThroughCache<T> {
  const slot = (key: string) => `${o.namespace}:${key}`;

  const tryInvalidate = (key: string, deadline: number): Promise<void> =>
    cache.set(slot(key), `t:${randomBytes(12).toString('base64url')}`, o.ttlSeconds).catch(() => {
      if (Date.now() >= deadline) return;
      setTimeout(() => void tryInvalidate(key, deadline), RETRY_MS).unref();
    });

  return {
    async get(key, load) {
      // undefined: the cache did not answer; then neither read nor fill it.
      const seen = await cache.get(slot(key)).catch(() => undefined);
      if (seen?.startsWith('v:')) {
        const value = safeDecode(o, seen.slice(2));
        if (value !== undefined) return value;
      }
      const value = await load();
      if (seen !== undefined) {
        const text = `v:${o.encode(value)}`;
        await cache.compareAndSet(slot(key), seen, text, o.ttlSeconds).catch(() => false);
      }
      return value;
    },
    invalidate: (key) => tryInvalidate(key, Date.now() + o.ttlSeconds * 1000),
  };
}

function safeDecode<T>(o: ReadThroughOptions<T>, text: string): T | undefined {
  try {
    return o.decode(text);
  } catch {
    return undefined;
  }
}

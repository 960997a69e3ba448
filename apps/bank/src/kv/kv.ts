/**
 * The key-value roles Redis plays for the bank (DESIGN.md §5 "Redis roles"), as interfaces with
 * two implementations: in-process (`memory.ts`, one instance only) and Redis (`redis.ts`). Both
 * pass one contract test suite. None of them is ever the only copy of anything that matters:
 * Postgres is the truth, and callers fall back to it (or answer 503) when a call rejects.
 */

/** Single-use values with a lifetime: enrollment challenges. */
export interface ChallengeStore {
  /** Stores `value` under `id` for `ttlSeconds` (≥ 1), replacing any previous value. */
  put(id: string, value: string, ttlSeconds: number): Promise<void>;
  /** Atomically returns and deletes the value: of two concurrent takes, one gets it. */
  take(id: string): Promise<string | null>;
}

/** A cache with expiry: keys, certificates, the revocation list, token versions. */
export interface Cache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Sets only when absent; true when it did. Readers filling the cache from the database use
   * this, so a stale read cannot overwrite the value a writer has just set after its commit.
   */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Sets `value` only when the slot still holds `expected` (null: only when absent); true when it
   * did. A reader that saw `expected` before reading Postgres fills the cache with this, so a
   * writer's invalidation in between (which replaced the slot) always wins.
   */
  compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    ttlSeconds: number,
  ): Promise<boolean>;
}

/** Advisory mutual exclusion with expiry (a fast path; Postgres row locks stay the authority). */
export interface Lock {
  /** A token when acquired, null when someone else holds the lock. */
  tryAcquire(key: string, ttlMs: number): Promise<string | null>;
  /** Releases only if `token` still holds the lock (compare-and-delete); true when released. */
  release(key: string, token: string): Promise<boolean>;
}

/** Fixed-window counters for rate limits. */
export interface Counter {
  /** Adds one in the current window of `windowMs` (opened by the first hit). */
  incr(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
}

/** Stops a subscription; never rejects. */
export type Unsubscribe = () => Promise<void>;

/**
 * Publish/subscribe: at-most-once notifications to every current subscriber of a channel, on any
 * instance sharing the backend (live settlement events). Never a record: a message published
 * while nobody listens, or while Redis is down, is gone.
 */
export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; rejects when the backend cannot subscribe. */
  subscribe(channel: string, listener: (message: string) => void): Promise<Unsubscribe>;
}

/** Every key-value role, from one backend. */
export interface KeyValueStores {
  /** `memory` for the in-process backend, `redis` otherwise. */
  readonly backend: 'memory' | 'redis';
  readonly challenges: ChallengeStore;
  readonly cache: Cache;
  readonly lock: Lock;
  readonly counter: Counter;
  readonly pubsub: PubSub;
  /** True when the backend answers now. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Validates a TTL: the interfaces refuse nonsense the same way for both backends. */
export function assertTtl(value: number, name: string, min = 1): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}`);
  }
}

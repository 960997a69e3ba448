/**
 * Counts the failures of a key-value backend by role, and turns them into the bank's own
 * BANK_UNAVAILABLE (503 with Retry-After) so that a caller with no fallback — an enrollment
 * challenge cannot be issued without Redis — answers "retry later", not a 500. Callers with a
 * fallback (caches, locks, rate limits) catch every rejection as before.
 */
import { BankApiError } from '../errors.js';
import type { KeyValueStores } from './kv.js';

/** The role a failed call played, as the `role` label of `offpay_redis_failures_total`. */
export type KvRole = 'challenge' | 'cache' | 'lock' | 'rate-limit' | 'pubsub';

function unavailable(cause: unknown): BankApiError<'BANK_UNAVAILABLE'> {
  const err = new BankApiError(
    'BANK_UNAVAILABLE',
    'The bank cannot reach Redis right now; retry later',
  );
  // Kept for the log line of the 503 (the client sees only the code and message).
  err.cause = cause;
  return err;
}

function guard<A extends unknown[], R>(
  role: KvRole,
  fn: (...args: A) => Promise<R>,
  onFailure: (role: KvRole) => void,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      // A RangeError is a caller's bad argument (assertTtl), not the backend failing.
      if (err instanceof RangeError) throw err;
      onFailure(role);
      throw unavailable(err);
    }
  };
}

/** The same stores, reporting each failed call to `onFailure` with its role (see above). */
export function countFailures(
  stores: KeyValueStores,
  onFailure: (role: KvRole) => void,
): KeyValueStores {
  const { challenges, cache, lock, counter, pubsub } = stores;
  const g = <A extends unknown[], R>(role: KvRole, fn: (...args: A) => Promise<R>) =>
    guard(role, fn, onFailure);
  return {
    backend: stores.backend,
    challenges: {
      put: g('challenge', challenges.put.bind(challenges)),
      take: g('challenge', challenges.take.bind(challenges)),
    },
    cache: {
      get: g('cache', cache.get.bind(cache)),
      set: g('cache', cache.set.bind(cache)),
      setIfAbsent: g('cache', cache.setIfAbsent.bind(cache)),
      delete: g('cache', cache.delete.bind(cache)),
      compareAndSet: g('cache', cache.compareAndSet.bind(cache)),
    },
    lock: {
      tryAcquire: g('lock', lock.tryAcquire.bind(lock)),
      release: g('lock', lock.release.bind(lock)),
    },
    counter: { incr: g('rate-limit', counter.incr.bind(counter)) },
    pubsub: {
      publish: g('pubsub', pubsub.publish.bind(pubsub)),
      subscribe: g('pubsub', pubsub.subscribe.bind(pubsub)),
    },
    ping: () => stores.ping(),
    close: () => stores.close(),
  };
}

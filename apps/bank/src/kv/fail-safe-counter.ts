/**
 * A rate-limit counter that fails safe: Redis counts for every instance; when a Redis call fails
 * (down, hung, paused by the breaker) this instance counts in process instead, so a limit still
 * holds per instance during an outage rather than being skipped. The failure itself is still
 * counted by the wrapped store (offpay_redis_failures_total{role="rate-limit"}), and no Redis
 * fault reaches the request. Counts are only counts: nothing that matters lives here.
 */
import type { Counter } from './kv.js';

/** `primary` while it answers, else `fallback` (in-process); rejects only for a bad argument. */
export function failSafeCounter(primary: Counter, fallback: Counter): Counter {
  return {
    async incr(key, windowMs) {
      try {
        return await primary.incr(key, windowMs);
      } catch (err) {
        // A RangeError is the caller's bad window, not the backend failing.
        if (err instanceof RangeError) throw err;
        return fallback.incr(key, windowMs);
      }
    },
  };
}

/**
 * Settlement's Redis fast paths (DESIGN.md §5 "Exactly once"): the signed result of an answered
 * batch by batch key (24 h), and a per-payee lock in front of the Postgres row lock. Both are
 * advisory: every failure degrades to the Postgres path, which alone decides every answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { equalBytes, fromBase64Url, toBase64Url, toHex } from '@offpay/crypto';
import { decodeSettlementResult } from '@offpay/protocol';
import type { Cache, Lock } from './kv.js';

/** How long an answered batch's result stays in the cache. */
export const RESULT_CACHE_SECONDS = 86_400;

/** Signed settlement results by batch key. Neither method ever rejects. */
export interface ResultCache {
  /** The cached signed result, or null on a miss, a failure or an entry for another batch. */
  get(batchKey: Uint8Array): Promise<Uint8Array | null>;
  put(batchKey: Uint8Array, signed: Uint8Array): Promise<void>;
}

/** {@link ResultCache} over a {@link Cache}. */
export function resultCache(cache: Cache): ResultCache {
  const key = (batchKey: Uint8Array) => `settlement-result:${toHex(batchKey)}`;
  return {
    async get(batchKey) {
      try {
        const text = await cache.get(key(batchKey));
        if (text === null) return null;
        const signed = fromBase64Url(text);
        // A damaged or foreign entry is a miss: Postgres answers instead.
        return equalBytes(decodeSettlementResult(signed).batchKey, batchKey) ? signed : null;
      } catch {
        return null;
      }
    },
    async put(batchKey, signed) {
      await cache
        .set(key(batchKey), toBase64Url(signed), RESULT_CACHE_SECONDS)
        .catch(() => undefined);
    },
  };
}

/** A per-payee advisory lock. `acquire` never rejects; its release never rejects. */
export interface PayeeLock {
  acquire(payeeSerial: number): Promise<() => Promise<void>>;
}

/** Options of {@link payeeLock}. */
export interface PayeeLockOptions {
  /** Expiry: a crashed holder frees the payee after this long. */
  ttlMs: number;
  /** Longest wait for another instance's batch; then the Postgres row lock queues us. */
  maxWaitMs: number;
}

const noRelease = () => Promise.resolve();

/**
 * {@link PayeeLock} over a {@link Lock}: waits (without holding a database connection) while
 * another batch of the same payee settles, then lets the caller take the Postgres row lock. When
 * Redis fails, or the wait runs out, the caller proceeds on the row lock alone.
 */
export function payeeLock(
  lock: Lock,
  o: PayeeLockOptions = { ttlMs: 10_000, maxWaitMs: 2_000 },
): PayeeLock {
  return {
    async acquire(payeeSerial) {
      const key = `payee:${payeeSerial}`;
      const deadline = Date.now() + o.maxWaitMs;
      for (let delay = 5; ; delay = Math.min(delay * 2, 50)) {
        const token = await lock.tryAcquire(key, o.ttlMs).catch(() => undefined);
        if (token === undefined) return noRelease;
        if (token !== null) return () => lock.release(key, token).then(noRelease, noRelease);
        if (Date.now() + delay > deadline) return noRelease;
        await sleep(delay);
      }
    },
  };
}

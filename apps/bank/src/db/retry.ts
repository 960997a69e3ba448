/**
 * Re-running a transaction that failed for a reason outside its own logic: it lost a race
 * (deadlock, serialization failure), its connection died, or a prepared statement's cached plan
 * went stale under a migration (the connection is dropped; a new one prepares afresh). Only for transactions the caller has
 * shown safe to run twice (see settlement.service.ts): a conflict means nothing was committed,
 * but a lost connection may hide a COMMIT that happened.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isCachedPlanInvalid, isConnectionLost, isTransactionConflict } from './errors.js';
import type { Database, Queryable } from './queryable.js';

/** Attempts in all (the first and two retries), then the last error is thrown (a 503). */
export const TRANSACTION_ATTEMPTS = 3;

/** True for the failures {@link retryingTransaction} retries. */
export function isRetryable(err: unknown): boolean {
  return isTransactionConflict(err) || isConnectionLost(err) || isCachedPlanInvalid(err);
}

/**
 * `db.transaction(fn)`, run again (up to {@link TRANSACTION_ATTEMPTS} in all) after a conflict or
 * a lost connection, with a random pause of 5–25 ms times the attempt so that two racing
 * transactions do not meet again in step. Any other error is thrown at once.
 */
export async function retryingTransaction<T>(
  db: Database,
  fn: (tx: Queryable) => Promise<T>,
  onRetry?: (err: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryable(err)) throw err;
      onRetry?.(err, attempt);
      await sleep(attempt * (5 + Math.floor(Math.random() * 20)));
    }
  }
}

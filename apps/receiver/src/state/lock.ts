/**
 * One writer at a time for the till's ledger, its heads and its requests. Two tabs accepting at
 * once would otherwise both read head N and both write entry N — one accepted payment (and its
 * receipt) silently lost. Not re-entrant: never take the lock inside `fn`.
 */
import { withLock } from '@offpay/app-kit';

/** Runs `fn` holding the till lock; resolves or rejects as `fn` does. */
export const withTillLock = <T>(fn: () => Promise<T>): Promise<T> =>
  withLock('offpay-till-ledger', fn);

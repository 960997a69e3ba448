/**
 * One writer at a time for the till's ledger, its heads and its requests. Two tabs accepting at
 * once would otherwise both read head N and both write entry N — one accepted payment (and its
 * receipt) silently lost. The Web Locks API serialises across tabs; where it is missing (tests,
 * old browsers) a queue serialises within this page. Never take the lock inside `fn`: it is not
 * re-entrant.
 */
const LOCK_NAME = 'offpay-till-ledger';

let tail: Promise<unknown> = Promise.resolve();

/** Runs `fn` holding the till lock; resolves or rejects as `fn` does. */
export function withTillLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (locks) return locks.request(LOCK_NAME, fn);
  const run = tail.then(fn);
  tail = run.catch(() => undefined);
  return run;
}

/**
 * One writer at a time for the wallet's chain and history. Two tabs confirming at once would
 * otherwise both read counter N and both sign counter N + 1 — an equivocation the bank treats as
 * fraud (DESIGN.md §3 "Fraud proofs"). The Web Locks API serialises across tabs; where it is
 * missing (tests, old browsers) a queue serialises within this page.
 */
const LOCK_NAME = 'offpay-sender-wallet';

let tail: Promise<unknown> = Promise.resolve();

/** Runs `fn` holding the wallet lock; resolves or rejects as `fn` does. */
export function withWalletLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (locks) return locks.request(LOCK_NAME, fn);
  const run = tail.then(fn);
  tail = run.catch(() => undefined);
  return run;
}

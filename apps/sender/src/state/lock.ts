/**
 * One writer at a time for the wallet's chain and history. Two tabs confirming at once would
 * otherwise both read counter N and both sign counter N + 1 — an equivocation the bank treats as
 * fraud (DESIGN.md §3 "Fraud proofs"). Not re-entrant.
 */
import { withLock } from '@offpay/app-kit';

/** Runs `fn` holding the wallet lock; resolves or rejects as `fn` does. */
export const withWalletLock = <T>(fn: () => Promise<T>): Promise<T> =>
  withLock('offpay-sender-wallet', fn);

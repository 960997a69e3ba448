/**
 * What the bank reports about each revocation list it publishes (docs/operations.md "Revocation
 * list"): the number of serials as a gauge, and a warning once the list is within 80 % of the
 * protocol's bound — beyond the bound the bank refuses revocations (BANK_REVOCATION_LIST_FULL)
 * rather than drop a serial.
 */
import { LIMITS } from '@offpay/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { BankMetrics } from './metrics.js';

/** Share of LIMITS.revocationListEntries at which the bank warns. */
export const REVOCATION_LIST_WARN_SHARE = 0.8;

/** The `observeList` hook of the revocations service. */
export function revocationListObserver(
  metrics: BankMetrics,
  log: FastifyBaseLogger,
): (entries: number) => void {
  const limit = LIMITS.revocationListEntries;
  return (entries) => {
    metrics.revocationListEntries.set(entries);
    if (entries >= REVOCATION_LIST_WARN_SHARE * limit)
      log.warn(
        { alert: 'revocation-list-near-full', entries, limit },
        'revocation list within 80 % of its bound: revocations are refused beyond it',
      );
  };
}

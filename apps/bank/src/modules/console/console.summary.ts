/**
 * The daily summary (docs/operations.md "The console"): the day's figures per currency and its
 * counts, read in the caller's transaction and put together.
 */
import type { Queryable } from '../../db/queryable.js';
import type { DailySummary, SummaryCurrency, Tally } from './console.domain.js';
import * as repo from './console.summary.repo.js';

const NONE: Tally = { count: 0, value: 0n };

/** The summary of the UTC day `date`, [from, to). */
export async function readSummary(
  tx: Queryable,
  date: string,
  from: Date,
  to: Date,
): Promise<DailySummary> {
  const settled = await repo.settledBetween(tx, from, to);
  const money = await repo.dayMoney(tx, from, to);
  const reserves = await repo.reservesAt(tx, to);
  const counts = await repo.dayCounts(tx, from, to);
  const currencies = new Set([
    ...settled.keys(),
    ...money.refunds.keys(),
    ...money.deposits.keys(),
    ...money.paid.keys(),
    ...money.failed.keys(),
    ...[...reserves].filter(([, v]) => v !== 0n).map(([c]) => c),
  ]);
  const rows: SummaryCurrency[] = [...currencies].sort().map((currency) => ({
    currency,
    settlements: settled.get(currency) ?? NONE,
    refunds: money.refunds.get(currency) ?? NONE,
    deposits: money.deposits.get(currency) ?? NONE,
    payoutsPaid: money.paid.get(currency) ?? NONE,
    payoutsFailed: money.failed.get(currency) ?? NONE,
    reservesOutstanding: reserves.get(currency) ?? 0n,
  }));
  return {
    date,
    from,
    to,
    currencies: rows,
    fraudProofs: counts.fraudProofs,
    revocations: {
      fraud: counts.revocations.get('fraud') ?? 0,
      closed: counts.revocations.get('closed') ?? 0,
      compromised: counts.revocations.get('compromised') ?? 0,
    },
    newMerchants: counts.newMerchants,
  };
}

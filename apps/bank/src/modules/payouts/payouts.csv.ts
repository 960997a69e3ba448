/**
 * A payout batch as CSV (RFC 4180), one row per payout, in the columns of the contract
 * (PAYOUT_BATCH_CSV_HEADER of @offpay/api): the same transfers as the pain.001 file, for banks
 * that take CSV and for people checking a batch. Cells are written by the reports module's CSV
 * writer (quoting, formula-like cells defused). Pure.
 */
import { PAYOUT_BATCH_CSV_HEADER } from '@offpay/api';
import { csvLine } from '../reports/reports.csv.js';
import { decimalAmount } from './payouts.domain.js';
import type { Pain001Transfer } from './payouts.pain001.js';

/** The CSV of a batch's transfers, header first. */
export function batchCsv(
  currency: string,
  transfers: readonly (Pain001Transfer & { payoutId: string })[],
): string {
  const lines = [csvLine(PAYOUT_BATCH_CSV_HEADER)];
  for (const t of transfers) {
    lines.push(
      csvLine([
        t.endToEndId,
        t.payoutId,
        t.amount.toString(),
        decimalAmount(t.amount, currency),
        currency,
        t.creditorIban,
        t.creditorName,
        t.remittance,
      ]),
    );
  }
  return lines.join('');
}

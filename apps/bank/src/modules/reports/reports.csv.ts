/**
 * The merchant's export of settled payments as CSV (RFC 4180), safe to open in a spreadsheet:
 * cells are quoted when needed and a cell that a spreadsheet would run as a formula is defused
 * with a leading apostrophe (OWASP "CSV Injection"). Pure. The columns are the contract's
 * (SETTLEMENT_CSV_HEADER of @offpay/api).
 */
import { SETTLEMENT_CSV_HEADER } from '@offpay/api';

/** One settled payment to one of the merchant's payee certificates. */
export interface SettlementCsvRow {
  settledAt: Date;
  paymentId: string;
  payerSerial: number;
  counter: number;
  amount: bigint;
  currency: string;
  payeeSerial: number;
  /** The sum of its refunds so far (0 when none). */
  refunded: bigint;
}

// A leading = + - @ (or a tab or carriage return, which some spreadsheets skip before one) makes
// the cell a formula when opened.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: defused when it could run as a formula, quoted when it holds a delimiter. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One line of cells, CRLF-terminated as RFC 4180 §2 says. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The whole export: header, then one line per payment in the given order. */
export function settlementsCsv(rows: readonly SettlementCsvRow[]): string {
  const lines = [csvLine(SETTLEMENT_CSV_HEADER)];
  for (const r of rows) {
    lines.push(
      csvLine([
        r.settledAt.toISOString(),
        r.paymentId,
        String(r.payerSerial),
        String(r.counter),
        r.amount.toString(),
        r.currency,
        String(r.payeeSerial),
        r.refunded.toString(),
      ]),
    );
  }
  return lines.join('');
}

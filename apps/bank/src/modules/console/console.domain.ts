/**
 * Pure rules of the operators' console (docs/operations.md "The console"): the statement and the
 * daily summary as CSV, what was recovered for a proven certificate, the day a summary covers,
 * and the findings of a reconciliation as the API shows them. No pg, no fastify.
 */
import {
  type ACCOUNT_HOLDERS,
  ACCOUNT_STATEMENT_CSV_HEADER,
  RECONCILE_FINDINGS_MAX,
  RECONCILE_ROWS_MAX,
  SUMMARY_CSV_HEADER,
} from '@offpay/api';
import { csvCell, csvLine } from '../reports/reports.csv.js';

/** Who holds an account. */
export type AccountHolder = (typeof ACCOUNT_HOLDERS)[number];

/** A posting as a statement line needs it. */
export interface StatementPosting {
  postingId: bigint;
  transferId: bigint;
  kind: string;
  reference: string;
  amount: bigint;
  at: Date;
  counterparties: readonly { kind: string; email: string | null }[];
}

/** Longest counterparty cell of a statement (the contract bounds each row). */
const COUNTERPARTY_MAX_CHARS = 120;

/** Who is on the other side of a posting, in a few words: emails, or `bank:<kind>`. */
export function counterpartyText(cps: StatementPosting['counterparties']): string {
  const text = cps.map((c) => c.email ?? `bank:${c.kind}`).join(' ');
  return text.length > COUNTERPARTY_MAX_CHARS
    ? `${text.slice(0, COUNTERPARTY_MAX_CHARS - 1)}…`
    : text;
}

/** A whole number the bank wrote (an amount, a balance): sent as is, so a spreadsheet reads a
 * negative amount as a number, not as text behind a defusing apostrophe. */
function integerCell(n: bigint): string {
  return n.toString();
}

/** One statement line: text cells quoted and defused (reports.csv.ts), integers as they are. */
function statementLine(cells: readonly (string | bigint)[]): string {
  return `${cells.map((c) => (typeof c === 'bigint' ? integerCell(c) : csvCell(c))).join(',')}\r\n`;
}

/**
 * An account's statement (RFC 4180, formula-like text cells defused): the opening balance, each
 * posting with the balance after it, and the closing balance — the balance read at the end of
 * the range, or when the postings were cut short, the balance after the last one shown.
 */
export function statementCsv(s: {
  currency: string;
  from: Date | null;
  to: Date;
  opening: bigint;
  postings: readonly StatementPosting[];
  closing: bigint | null;
}): string {
  const lines = [csvLine(ACCOUNT_STATEMENT_CSV_HEADER)];
  const edge = (line: string, at: Date | null, balance: bigint) =>
    csvLine([
      line,
      at?.toISOString() ?? '',
      '',
      '',
      '',
      '',
      '',
      '',
      balance.toString(),
      s.currency,
    ]);
  lines.push(edge('opening', s.from, s.opening));
  let balance = s.opening;
  for (const p of s.postings) {
    balance += p.amount;
    lines.push(
      statementLine([
        'posting',
        p.at.toISOString(),
        p.postingId,
        p.transferId,
        p.kind,
        p.reference,
        counterpartyText(p.counterparties),
        p.amount,
        balance,
        s.currency,
      ]),
    );
  }
  lines.push(edge('closing', s.to, s.closing ?? balance));
  return lines.join('');
}

/** The UTC day `date` (YYYY-MM-DD): its first instant and the first of the next day. */
export function dayBounds(date: string): { from: Date; to: Date } {
  const from = new Date(`${date}T00:00:00.000Z`);
  if (!Number.isFinite(from.getTime())) throw new RangeError(`date: not a calendar day: ${date}`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/** What the bank recovered for a proven payer certificate. */
export interface Recovery {
  limit: bigint;
  settled: bigint;
  reserveUsed: bigint;
  beyondReserve: bigint;
  recoveredFromBalance: bigint;
  unrecovered: bigint;
}

/**
 * Splits what settled against a certificate into what its reserve covered and what went beyond
 * (docs/protocol.md §8); of the latter, what recovery transfers took from the payer's balance,
 * and what is left for the bank to bear.
 */
export function recoveryOf(limit: bigint, settled: bigint, recovered: bigint): Recovery {
  const reserveUsed = settled < limit ? settled : limit;
  const beyondReserve = settled - reserveUsed;
  const recoveredFromBalance = recovered < beyondReserve ? recovered : beyondReserve;
  return {
    limit,
    settled,
    reserveUsed,
    beyondReserve,
    recoveredFromBalance,
    unrecovered: beyondReserve - recoveredFromBalance,
  };
}

/** A tally of one currency. */
export interface Tally {
  count: number;
  value: bigint;
}

/** One currency of a daily summary. */
export interface SummaryCurrency {
  currency: string;
  settlements: Tally;
  refunds: Tally;
  deposits: Tally;
  payoutsPaid: Tally;
  payoutsFailed: Tally;
  reservesOutstanding: bigint;
}

/** A daily summary. */
export interface DailySummary {
  date: string;
  from: Date;
  to: Date;
  currencies: SummaryCurrency[];
  fraudProofs: number;
  revocations: { fraud: number; closed: number; compromised: number };
  newMerchants: number;
}

const MONEY_METRICS = [
  ['settlements', 'settlements'],
  ['refunds', 'refunds'],
  ['deposits', 'deposits'],
  ['payouts_paid', 'payoutsPaid'],
  ['payouts_failed', 'payoutsFailed'],
] as const;

/** The daily summary as CSV: one row per money metric and currency, then the counts. */
export function summaryCsv(s: DailySummary): string {
  const lines = [csvLine(SUMMARY_CSV_HEADER)];
  for (const c of s.currencies) {
    for (const [metric, key] of MONEY_METRICS) {
      const t = c[key];
      lines.push(csvLine([s.date, metric, c.currency, String(t.count), t.value.toString()]));
    }
    lines.push(
      csvLine([s.date, 'reserves_outstanding', c.currency, '', c.reservesOutstanding.toString()]),
    );
  }
  const counts: [string, number][] = [
    ['fraud_proofs', s.fraudProofs],
    ['revocations_fraud', s.revocations.fraud],
    ['revocations_closed', s.revocations.closed],
    ['revocations_compromised', s.revocations.compromised],
    ['new_merchants', s.newMerchants],
  ];
  for (const [metric, n] of counts) lines.push(csvLine([s.date, metric, '', String(n), '']));
  return lines.join('');
}

/** A violation as reconcile reports it. */
export interface ViolationLike {
  code: string;
  message: string;
  rows: Record<string, string | number | boolean | null>[];
}

/** The findings of a reconciliation as the API shows them: bounded, each with its first rows. */
export function findingsOf(violations: readonly ViolationLike[]) {
  const findings = violations.slice(0, RECONCILE_FINDINGS_MAX).map((v) => ({
    code: v.code,
    detail: v.message.slice(0, 2000),
    rowCount: v.rows.length,
    rows: v.rows.slice(0, RECONCILE_ROWS_MAX).map((row) =>
      Object.fromEntries(
        Object.entries(row)
          .slice(0, 32)
          .map(([k, val]) => [k.slice(0, 64), typeof val === 'string' ? val.slice(0, 2000) : val]),
      ),
    ),
  }));
  return { findings, truncated: violations.length > RECONCILE_FINDINGS_MAX };
}

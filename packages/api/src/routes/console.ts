/**
 * The operators' console: the reconciliation check on demand, the daily summary and the live
 * activity stream (docs/operations.md "The console"; issue #13 item 7). Every route reads; each
 * call is audited.
 */
import { z } from 'zod';
import { balanceMinor, currency, instant } from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';
import { REVOCATION_REASONS } from './revocations.js';

/** Most findings POST /v1/operator/reconcile answers (the first of each code come first). */
export const RECONCILE_FINDINGS_MAX = 100;
/** Most rows each finding shows. */
export const RECONCILE_ROWS_MAX = 10;
/** Most currencies a summary or an activity snapshot lists. */
export const CONSOLE_CURRENCIES_MAX = 32;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A count and a total value. */
const tally = z.object({ count, valueMinor: balanceMinor });

/** One broken invariant the reconciliation found (docs/operations.md "Reconciliation"). */
export const reconcileFinding = z.object({
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .describe('The violation code (docs/operations.md "Reconciliation" lists them)'),
  detail: z.string().max(2000).describe('What is wrong, in words'),
  rowCount: count.describe('How many rows break it'),
  rows: z
    .array(
      z
        .record(
          z.string().max(64),
          z.union([
            z.string().max(2000),
            z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
            z.boolean(),
            z.null(),
          ]),
        )
        .refine((r) => Object.keys(r).length <= 32, 'at most 32 fields'),
    )
    .max(RECONCILE_ROWS_MAX)
    .describe(`The first ${RECONCILE_ROWS_MAX} rows that break it`),
});

/** POST /v1/operator/reconcile */
export const runReconcile = {
  method: 'POST',
  path: '/v1/operator/reconcile',
  auth: true,
  // Read-only (one REPEATABLE READ, READ ONLY snapshot): auditors may run it too.
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'Run the reconciliation check now and answer what it found (never changes a row)',
  status: 200,
  response: z.object({
    ok: z.boolean().describe('True when the books agree (no finding)'),
    checkedAt: instant,
    checked: z.object({
      certificates: count,
      settlements: count,
      payments: count,
      proofs: count,
      deposits: count,
      payouts: count,
    }),
    findings: z.array(reconcileFinding).max(RECONCILE_FINDINGS_MAX),
    findingsTruncated: z.boolean(),
  }),
  errors: [401, 403],
} as const satisfies RouteSpec;

/** One currency of a daily summary. */
export const summaryCurrency = z.object({
  currency,
  settlements: tally.describe('Payments settled that day'),
  refunds: tally,
  deposits: tally,
  payoutsPaid: tally.describe('Payouts confirmed that day'),
  payoutsFailed: tally.describe('Payouts failed that day'),
  reservesOutstandingMinor: balanceMinor.describe('Reserves held at the end of the day'),
});

/** The daily summary. */
export const dailySummary = z.object({
  date: z.iso.date().max(10),
  from: instant.describe('Start of the day (UTC), inclusive'),
  to: instant.describe('End of the day (UTC), exclusive'),
  currencies: z.array(summaryCurrency).max(CONSOLE_CURRENCIES_MAX),
  fraudProofs: count,
  revocations: z.object({
    total: count,
    byReason: z.object(
      Object.fromEntries(REVOCATION_REASONS.map((r) => [r, count])) as Record<
        (typeof REVOCATION_REASONS)[number],
        typeof count
      >,
    ),
  }),
  newMerchants: count.describe('Merchant applications approved that day'),
});

const summaryQuery = z.object({
  date: z.iso
    .date()
    .max(10)
    .optional()
    .describe("The day, YYYY-MM-DD, in UTC (default: the bank's today)"),
});

/** GET /v1/operator/summary */
export const operatorSummary = {
  method: 'GET',
  path: '/v1/operator/summary',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary:
    'The daily summary: settlements, refunds, deposits, payouts, fraud proofs, revocations, reserves, new merchants',
  query: summaryQuery,
  status: 200,
  response: dailySummary,
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** Columns of GET /v1/operator/summary.csv, in order. */
export const SUMMARY_CSV_HEADER = ['date', 'metric', 'currency', 'count', 'value_minor'] as const;

/** GET /v1/operator/summary.csv */
export const operatorSummaryCsv = {
  method: 'GET',
  path: '/v1/operator/summary.csv',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'The daily summary as text/csv, one row per metric (and currency)',
  description:
    `Columns: ${SUMMARY_CSV_HEADER.join(', ')}. Metrics with money have a currency and ` +
    'value_minor; counts alone (fraud_proofs, revocations_*, new_merchants) leave them empty. ' +
    'RFC 4180 with a header row.',
  query: summaryQuery,
  status: 200,
  contentType: 'text/csv',
  response: z.string().max(64 * 1024),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** Health of a dependency as the activity panel shows it. */
const health = z.enum(['ok', 'down', 'not-configured']);

/** One snapshot of the live activity panel. */
export const activitySnapshot = z.object({
  at: instant,
  intervalSeconds: z.number().int().min(1).max(3600).describe('Seconds until the next snapshot'),
  settlementsLastMinute: z
    .array(tally.extend({ currency }))
    .max(CONSOLE_CURRENCIES_MAX)
    .describe('Payments settled in the minute before `at`, per currency'),
  reservesOutstanding: z
    .array(z.object({ currency, valueMinor: balanceMinor }))
    .max(CONSOLE_CURRENCIES_MAX),
  fraudProofs: z.object({ last24h: count, total: count }),
  revocations: z.object({ last24h: count, total: count }),
  database: z.enum(['ok', 'down']),
  redis: health,
});

/** GET /v1/operator/activity */
export const operatorActivity = {
  method: 'GET',
  path: '/v1/operator/activity',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'Live activity as server-sent events (text/event-stream): a snapshot now and every N s',
  description: [
    'Each snapshot arrives as `event: activity` with JSON data: settlements in the last minute,',
    'reserves outstanding, fraud proofs and revocations (last 24 h and total), database and Redis',
    'health. The first comes at once, then one every intervalSeconds. With Redis down the stream',
    'goes on and says redis: "down"; with Postgres down a snapshot says database: "down" and holds',
    'the last values it read. The stream lives no longer than its token: it ends with `event: end`',
    'and data {reason: "token-expired" | "logged-out"}. A few streams per operator (429',
    'BANK_RATE_LIMITED beyond). The Bearer token goes in the Authorization header only, so',
    'browsers read the stream with fetch, not EventSource.',
  ].join(' '),
  status: 200,
  contentType: 'text/event-stream',
  response: z.string().describe('text/event-stream'),
  event: activitySnapshot,
  errors: [401, 403, 429],
} as const satisfies RouteSpec;

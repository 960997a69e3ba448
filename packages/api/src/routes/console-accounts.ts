/**
 * The operators' console: accounts with their balances and history, statements, and refunds
 * (docs/operations.md "The console"; issue #13 item 7). Reads, for operators and auditors alike,
 * each one audited.
 */
import { z } from 'zod';
import {
  amountMinor,
  balanceMinor,
  currency,
  hex,
  instant,
  instantInput,
  rowId,
  serial,
  signedMinor,
  uuid,
} from '../fields.js';
import { REFERENCE_MAX_CHARS } from '../limits.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';
import { ACCOUNT_KINDS, TRANSFER_KINDS } from './accounts.js';
import { REFUND_REASON_MAX_CHARS } from './refunds.js';

/** Who holds an account: a customer, a verified merchant, or the bank itself. */
export const ACCOUNT_HOLDERS = ['customer', 'merchant', 'system'] as const;
/** Most accounts one page of GET /v1/operator/accounts holds. */
export const OPERATOR_ACCOUNTS_PAGE_MAX = 100;
/** Most postings GET /v1/operator/accounts/:id answers at once. */
export const ACCOUNT_POSTINGS_MAX = 200;
/** Most counterparties one posting names (a transfer has at most this many other legs shown). */
export const COUNTERPARTIES_MAX = 8;
/** Most postings one statement CSV holds; narrow `from`/`to` for more. */
export const ACCOUNT_STATEMENT_MAX_ROWS = 20_000;
/** Most refunds one page of GET /v1/operator/refunds holds. */
export const OPERATOR_REFUNDS_PAGE_MAX = 200;

const email = z.string().max(254);

/**
 * What an operator types into a console search box: part of an email or a name, an account id
 * or a serial. Starts with a letter or digit; all digits is a serial (at most 16 digits).
 */
export const searchText = z
  .string()
  .max(1000)
  .trim()
  .min(1)
  .max(254)
  .regex(/^[\p{L}\p{N}]/u, 'starts with a letter or a digit')
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, 'no control or format characters')
  .refine((s) => !/^[0-9]+$/.test(s) || /^[1-9][0-9]{0,15}$/.test(s), 'all digits: a serial')
  .describe('Part of an email or a name, an account id, or a serial');

/**
 * One account as the console shows it. A customer's (or merchant's) account carries beside its
 * balance what the same owner has reserved for payer certificates in its currency and what its
 * requested, approved or exported payouts hold; the bank's own accounts (holder `system`) have
 * only their balance, which may be negative for `issuance` and `clearing`.
 */
export const consoleAccount = z.object({
  accountId: uuid,
  holder: z.enum(ACCOUNT_HOLDERS),
  kind: z.enum(ACCOUNT_KINDS).describe('The ledger kind of the account'),
  userId: uuid.nullable(),
  email: email.nullable().describe("The owner's login email; null for the bank's accounts"),
  displayName: z
    .string()
    .max(64)
    .nullable()
    .describe("The merchant's certified name, else the owner's display name"),
  currency,
  balanceMinor: signedMinor.describe('The ledger balance (available money of a customer)'),
  reservedMinor: balanceMinor.describe("The owner's reserve account balance in this currency"),
  payoutsInFlightMinor: balanceMinor.describe(
    "The owner's payouts requested, approved or exported, not yet paid or returned",
  ),
  createdAt: instant,
});

/** GET /v1/operator/accounts */
export const operatorAccounts = {
  method: 'GET',
  path: '/v1/operator/accounts',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'Customer, merchant and bank accounts with their balances, by account id',
  description:
    '?query matches an email or display name (contains, case-insensitive) or an account id ' +
    "(exact); ?holder keeps one kind of holder. Users' reserve accounts are not listed (they " +
    "show as reservedMinor of the owner's account) but GET /v1/operator/accounts/{id} reads " +
    'them. Page with ?after=<nextAfter>.',
  query: z.object({
    query: searchText.optional(),
    holder: z.enum(ACCOUNT_HOLDERS).optional(),
    after: uuid.optional().describe('Accounts with a greater account id'),
    limit: z.coerce.number().int().min(1).max(OPERATOR_ACCOUNTS_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    accounts: z.array(consoleAccount).max(OPERATOR_ACCOUNTS_PAGE_MAX),
    nextAfter: uuid.nullable(),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** The other side of a posting: another leg of the same transfer. */
export const counterparty = z.object({
  accountId: uuid,
  kind: z.enum(ACCOUNT_KINDS),
  email: email.nullable(),
  amountMinor: signedMinor,
});

/** One posting of an account's history. */
export const consolePosting = z.object({
  postingId: rowId,
  transferId: rowId,
  kind: z.enum(TRANSFER_KINDS),
  reference: z.string().max(REFERENCE_MAX_CHARS),
  amountMinor: signedMinor.describe('Positive: money in; negative: money out'),
  counterparties: z.array(counterparty).max(COUNTERPARTIES_MAX),
  at: instant,
});

/** GET /v1/operator/accounts/:id */
export const operatorAccount = {
  method: 'GET',
  path: '/v1/operator/accounts/:id',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'One account with its balances and its postings, newest first',
  params: z.object({ id: uuid }),
  query: z.object({
    before: rowId.optional().describe('postingId cursor: postings older than it'),
    limit: z.coerce.number().int().min(1).max(ACCOUNT_POSTINGS_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    account: consoleAccount,
    postings: z.array(consolePosting).max(ACCOUNT_POSTINGS_MAX),
    nextBefore: rowId.nullable(),
  }),
  errors: [400, 401, 403, 404],
} as const satisfies RouteSpec;

/** Columns of GET /v1/operator/accounts/:id/statement.csv, in order. */
export const ACCOUNT_STATEMENT_CSV_HEADER = [
  'line',
  'at',
  'posting_id',
  'transfer_id',
  'kind',
  'reference',
  'counterparty',
  'amount_minor',
  'balance_minor',
  'currency',
] as const;

// A row is at most ~600 characters: a 200-character reference (doubled quotes at worst) and the
// counterparty cell cut to 120 characters, plus ids, amounts and the instant.
const STATEMENT_CSV_MAX_CHARS = (ACCOUNT_STATEMENT_MAX_ROWS + 3) * 640;

/** GET /v1/operator/accounts/:id/statement.csv */
export const operatorAccountStatement = {
  method: 'GET',
  path: '/v1/operator/accounts/:id/statement.csv',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: `An account's statement as text/csv: opening balance, each posting, closing balance (at most ${ACCOUNT_STATEMENT_MAX_ROWS} postings; x-offpay-truncated: true when more exist)`,
  description:
    `Columns: ${ACCOUNT_STATEMENT_CSV_HEADER.join(', ')}. The first row (line "opening") has ` +
    'the balance before ?from, each posting row (line "posting") its amount and the balance ' +
    'after it, the last row (line "closing") the balance at ?to: opening + Σ amount_minor = ' +
    'closing. RFC 4180 with a header row; formula-like cells start with an apostrophe.',
  params: z.object({ id: uuid }),
  query: z
    .object({
      from: instantInput.optional().describe('Inclusive lower bound (default: the beginning)'),
      to: instantInput.optional().describe('Exclusive upper bound (default: now)'),
    })
    .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
      message: 'from must not be after to',
      path: ['from'],
    }),
  status: 200,
  contentType: 'text/csv',
  response: z.string().max(STATEMENT_CSV_MAX_CHARS),
  errors: [400, 401, 403, 404],
} as const satisfies RouteSpec;

/** A refund as operators see it: with the merchant, the payer and the payment's certificates. */
export const operatorRefund = z.object({
  refundId: uuid,
  paymentId: hex(32),
  amountMinor,
  currency,
  reason: z.string().max(REFUND_REASON_MAX_CHARS),
  transferId: rowId,
  createdAt: instant,
  merchantUserId: uuid,
  merchantEmail: email,
  payerEmail: email,
  payerSerial: serial,
  payeeSerial: serial,
});

/** GET /v1/operator/refunds */
export const operatorRefunds = {
  method: 'GET',
  path: '/v1/operator/refunds',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'Refunds, newest first; page with ?before=<nextBefore>',
  query: z.object({
    before: rowId.optional().describe('transferId cursor: refunds older than it'),
    limit: z.coerce.number().int().min(1).max(OPERATOR_REFUNDS_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    refunds: z.array(operatorRefund).max(OPERATOR_REFUNDS_PAGE_MAX),
    nextBefore: rowId.nullable(),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

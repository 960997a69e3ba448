/**
 * Money in (docs/operations.md "An operator's day: deposits in, payouts out"): an operator credits
 * a customer account from the bank's clearing account for money received at the outside bank,
 * once per external reference — one by one, or by importing a statement file (CSV).
 */
import { z } from 'zod';
import { amountMinor, currency, instant, rowId, uuid } from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';
import { reason } from './operators.js';

/** Columns of a statement file, in this order, after a header row naming them. */
export const STATEMENT_COLUMNS = [
  'reference',
  'date',
  'account',
  'amount_minor',
  'currency',
  'description',
] as const;
/** Most characters of one statement file (512 KiB of ASCII). */
export const STATEMENT_MAX_CHARS = 512 * 1024;
/** Most data rows of one statement file (the header row aside). */
export const STATEMENT_MAX_ROWS = 2000;
/** The body limit of POST /v1/operator/deposit-imports, in bytes (the file is a JSON string). */
export const STATEMENT_BODY_LIMIT = 2 * 1024 * 1024;
/** Most deposits one page of GET /v1/operator/deposits holds. */
export const DEPOSITS_PAGE_MAX = 200;

/** An external reference: what the outside bank's statement calls this credit. */
export const depositReference = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/,
    'letters, digits and . _ : / - (starting with a letter or digit)',
  )
  .describe('The external reference (unique: a deposit is applied once per reference)');

/** The customer account to credit: its account id, or its owner's email. */
export const depositAccount = z
  .string()
  .trim()
  .min(3)
  .max(254)
  .regex(
    /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[^\s@]{1,64}@[^\s@]{1,189})$/,
    'an account id (UUID) or an email',
  )
  .describe("The customer's account id, or the email of its owner (its account in `currency`)");

const description = z
  .string()
  .max(140)
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'no control or format characters');

/** A calendar date (the statement's value date). */
export const valueDate = z.iso.date().max(10).describe('Value date, YYYY-MM-DD');

/** A deposit as operators see it. */
export const deposit = z.object({
  id: rowId,
  reference: depositReference,
  accountId: uuid,
  currency,
  amountMinor,
  valueDate: valueDate.nullable(),
  description: description.nullable(),
  importId: rowId.nullable(),
  operatorId: uuid,
  createdAt: instant,
});

/** What became of a deposit request: applied now, or applied before under the same reference. */
export const DEPOSIT_OUTCOMES = ['applied', 'already_applied'] as const;

/** POST /v1/operator/deposits */
export const createDeposit = {
  method: 'POST',
  path: '/v1/operator/deposits',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'money',
  summary: 'Credit a customer account from clearing, once per external reference',
  description:
    'Sent again with the same reference, account, amount and currency it answers the first ' +
    'deposit (outcome already_applied) and moves nothing; the same reference with anything else ' +
    'is 409 BANK_DEPOSIT_CONFLICT.',
  body: z.object({
    reference: depositReference,
    account: depositAccount,
    amountMinor,
    currency,
    valueDate: valueDate.optional(),
    description: description.optional(),
    reason,
  }),
  status: 200,
  response: z.object({ outcome: z.enum(DEPOSIT_OUTCOMES), deposit }),
  errors: [400, 401, 403, 404, 409, 422],
} as const satisfies RouteSpec;

/** GET /v1/operator/deposits */
export const listDeposits = {
  method: 'GET',
  path: '/v1/operator/deposits',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'money',
  summary: 'Deposits, newest first',
  query: z.object({
    before: rowId.optional().describe('Only deposits with a smaller id (the next page)'),
    limit: z.coerce.number().int().min(1).max(DEPOSITS_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({ deposits: z.array(deposit).max(DEPOSITS_PAGE_MAX) }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** What became of one row of a statement file. */
export const ROW_OUTCOMES = ['applied', 'already_applied', 'refused'] as const;

/** One row's outcome: its line in the file, and on refusal a code of docs/errors.md. */
export const statementRow = z.object({
  line: z
    .number()
    .int()
    .min(1)
    .max(STATEMENT_MAX_ROWS + 1),
  reference: z.string().max(64).nullable(),
  outcome: z.enum(ROW_OUTCOMES),
  depositId: rowId.nullable(),
  code: z
    .string()
    .max(64)
    .regex(/^BANK_[A-Z_]+$/)
    .nullable(),
  message: z.string().max(300).nullable(),
});

/** POST /v1/operator/deposit-imports */
export const importStatement = {
  method: 'POST',
  path: '/v1/operator/deposit-imports',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'money',
  summary: 'Import a statement file (CSV): every valid row applied, every row’s outcome reported',
  description:
    `RFC 4180 CSV with a header row: ${STATEMENT_COLUMNS.join(',')}. account is a customer ` +
    'account id or its owner’s email; amount_minor whole minor units; date YYYY-MM-DD. At most ' +
    `${STATEMENT_MAX_ROWS} rows and ${STATEMENT_MAX_CHARS} characters. A row is applied whole ` +
    'or not at all; a row already applied (same reference and facts) is reported, not applied again.',
  body: z.object({
    csv: z.string().min(1).max(STATEMENT_MAX_CHARS).describe('The statement file, as text'),
    reason,
  }),
  status: 200,
  response: z.object({
    importId: rowId,
    counts: z.object({
      total: z.number().int().min(0).max(STATEMENT_MAX_ROWS),
      applied: z.number().int().min(0).max(STATEMENT_MAX_ROWS),
      alreadyApplied: z.number().int().min(0).max(STATEMENT_MAX_ROWS),
      refused: z.number().int().min(0).max(STATEMENT_MAX_ROWS),
    }),
    rows: z.array(statementRow).max(STATEMENT_MAX_ROWS),
  }),
  errors: [400, 401, 403, 413, 422],
} as const satisfies RouteSpec;

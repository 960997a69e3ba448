/** The caller's accounts, balances and history. */
import { z } from 'zod';
import { balanceMinor, currency, instant, rowId, signedMinor, uuid } from '../fields.js';
import {
  ACCOUNTS_MAX,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  REFERENCE_MAX_CHARS,
} from '../limits.js';
import type { RouteSpec } from '../route.js';

/** Kinds of account (apps/bank/migrations/001_ledger.sql, 008_deposits_payouts.sql). */
export const ACCOUNT_KINDS = [
  'customer',
  'reserve',
  'settlement',
  'issuance',
  'clearing',
  'payout_hold',
] as const;
/** Why money moved (the `kind` of a transfer). */
export const TRANSFER_KINDS = [
  'funding',
  'reserve',
  'release',
  'settlement',
  'recovery',
  'adjustment',
  'deposit',
  'payout_hold',
  'payout_return',
  'payout_paid',
] as const;

/** One account with its balance. */
export const account = z.object({
  accountId: uuid,
  kind: z.enum(ACCOUNT_KINDS),
  currency,
  balanceMinor,
});

/** GET /v1/accounts/me */
export const accounts = {
  method: 'GET',
  path: '/v1/accounts/me',
  auth: true,
  tag: 'accounts',
  summary: "The caller's accounts and balances (minor units as decimal strings)",
  status: 200,
  response: z.object({ userId: uuid, accounts: z.array(account).max(ACCOUNTS_MAX) }),
  errors: [401],
} as const satisfies RouteSpec;

/** One posting of the caller's history. */
export const historyItem = z.object({
  postingId: rowId,
  transferId: rowId,
  kind: z.enum(TRANSFER_KINDS),
  reference: z.string().max(REFERENCE_MAX_CHARS),
  accountId: uuid,
  currency,
  amountMinor: signedMinor.describe('Positive: money in; negative: money out'),
  at: instant,
});

/** GET /v1/accounts/me/history */
export const accountHistory = {
  method: 'GET',
  path: '/v1/accounts/me/history',
  auth: true,
  tag: 'accounts',
  summary: "The caller's postings, newest first; page with ?before=<nextBefore>",
  query: z.object({
    limit: z.coerce.number().int().min(1).max(HISTORY_MAX_LIMIT).default(HISTORY_DEFAULT_LIMIT),
    before: rowId.optional().describe('postingId cursor: items older than it'),
  }),
  status: 200,
  response: z.object({
    items: z.array(historyItem).max(HISTORY_MAX_LIMIT),
    nextBefore: rowId.nullable(),
  }),
  errors: [400, 401],
} as const satisfies RouteSpec;

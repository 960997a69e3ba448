/**
 * What settled, read back: a payer wallet's sync (what settled and what remains of each reserve)
 * and a merchant's CSV export of its settled payments.
 */
import { z } from 'zod';
import {
  amountMinor,
  balanceMinor,
  currency,
  hex,
  instant,
  instantInput,
  serial,
} from '../fields.js';
import { CSV_MAX_ROWS, SYNC_MAX_CERTIFICATES, SYNC_MAX_PAYMENTS } from '../limits.js';
import type { RouteSpec } from '../route.js';
import { CERTIFICATE_STATUSES } from './revocations.js';

/** One settled payment under a payer certificate. */
export const syncPayment = z.object({
  paymentId: hex(32),
  counter: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  amountMinor,
  settledAt: instant,
  refundedMinor: balanceMinor.describe(
    "What the merchant has refunded of it (to the payer's account)",
  ),
});

/** One payer certificate as its owner's wallet syncs it. */
export const syncCertificate = z.object({
  serial,
  status: z.enum(CERTIFICATE_STATUSES),
  currency,
  limitMinor: amountMinor,
  settledMinor: balanceMinor,
  reserveRemainingMinor: balanceMinor,
  expiresAt: instant,
  closedAt: instant.nullable(),
  reserveReleasedAt: instant.nullable(),
  payments: z.array(syncPayment).max(SYNC_MAX_PAYMENTS),
  paymentsTruncated: z.boolean().describe('True when older settled payments exist'),
});

/** GET /v1/payer/sync */
export const payerSync = {
  method: 'GET',
  path: '/v1/payer/sync',
  auth: true,
  tag: 'certificates',
  summary: `Your payer certificates (newest ${SYNC_MAX_CERTIFICATES}): what settled (newest ${SYNC_MAX_PAYMENTS} payments each) and what remains`,
  status: 200,
  response: z.object({
    bankTime: instant.describe("The bank's clock: apps refuse a device clock before it"),
    certificates: z.array(syncCertificate).max(SYNC_MAX_CERTIFICATES),
  }),
  errors: [401],
} as const satisfies RouteSpec;

/** Columns of the CSV export, in order. */
export const SETTLEMENT_CSV_HEADER = [
  'settled_at',
  'payment_id',
  'payer_serial',
  'counter',
  'amount_minor',
  'currency',
  'payee_serial',
  'refunded_minor',
] as const;

// A row is at most ~190 characters: 24 + 64 + 16 + 16 + 16 + 3 + 16 + 19, commas and CRLF.
const CSV_MAX_CHARS = (CSV_MAX_ROWS + 1) * 224;

/** GET /v1/merchant/settlements.csv */
export const merchantSettlementsCsv = {
  method: 'GET',
  path: '/v1/merchant/settlements.csv',
  auth: true,
  tag: 'certificates',
  summary: `Payments settled to your payee certificates as text/csv, oldest first (at most ${CSV_MAX_ROWS} rows; x-offpay-truncated: true when more exist)`,
  description: `Columns: ${SETTLEMENT_CSV_HEADER.join(', ')}. RFC 4180 with a header row; formula-like cells start with an apostrophe.`,
  query: z
    .object({
      from: instantInput.optional().describe('Inclusive lower bound of settledAt'),
      to: instantInput.optional().describe('Exclusive upper bound of settledAt'),
    })
    .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
      message: 'from must not be after to',
      path: ['from'],
    }),
  status: 200,
  contentType: 'text/csv',
  response: z.string().max(CSV_MAX_CHARS),
  errors: [400, 401],
} as const satisfies RouteSpec;

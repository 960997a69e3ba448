/**
 * Refunds (docs/operations.md "Refunds"): a merchant gives back all or part of a payment settled
 * to one of its payee certificates, from its account to the payer's, idempotent by key. Both
 * parties see it in their history (transfer kind `refund`).
 */
import { z } from 'zod';
import { amountMinor, balanceMinor, currency, hex, instant, rowId, uuid } from '../fields.js';
import type { RouteSpec } from '../route.js';

/** Most refunds one payment can have (each is at least one minor unit; a bound for the list). */
export const REFUNDS_PER_PAYMENT_MAX = 100;
/** Longest refund reason, in characters. */
export const REFUND_REASON_MAX_CHARS = 200;

/** The merchant's idempotency key of a refund: 8 … 64 of A–Z a–z 0–9 _ - (a UUID fits). */
export const refundKey = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 characters of A-Z a-z 0-9 _ -')
  .describe('Idempotency key chosen by the merchant: the same key answers the same refund');

/** The payment a refund concerns, in the path. */
const paymentParams = z.object({
  paymentId: hex(32).describe('hex paymentId of a settled payment'),
});

/** One refund. */
export const refund = z.object({
  refundId: uuid,
  paymentId: hex(32),
  amountMinor,
  currency,
  reason: z.string().max(REFUND_REASON_MAX_CHARS),
  transferId: rowId,
  createdAt: instant,
});

/** A settled payment and what has been refunded of it. */
export const refundablePayment = z.object({
  paymentId: hex(32),
  currency,
  settledMinor: amountMinor.describe('The amount that settled'),
  refundedMinor: balanceMinor.describe('The sum of its refunds so far'),
  refundableMinor: balanceMinor.describe('What may still be refunded'),
  refunds: z.array(refund).max(REFUNDS_PER_PAYMENT_MAX),
});

/** POST /v1/payments/:paymentId/refunds */
export const refundPayment = {
  method: 'POST',
  path: '/v1/payments/:paymentId/refunds',
  auth: true,
  tag: 'refunds',
  summary: 'Refund all or part of a payment settled to one of your payee certificates',
  description:
    'Moves amountMinor from your account to the payer’s, never more than the settled amount less ' +
    'earlier refunds (409 BANK_REFUND_EXCEEDS_PAYMENT) and never more than you hold (409 ' +
    'BANK_INSUFFICIENT_FUNDS). Idempotent by the Idempotency-Key header: the same key with the ' +
    'same payment and amount answers the first refund again (replayed: true); with another ' +
    'payment or amount it is 409 BANK_REFUND_KEY_REUSED. A payment that is not settled to one of ' +
    'your payee certificates is 404 BANK_PAYMENT_NOT_FOUND.',
  params: paymentParams,
  headers: z.object({ 'idempotency-key': refundKey }),
  body: z.object({
    amountMinor,
    reason: z
      .string()
      .max(REFUND_REASON_MAX_CHARS * 4)
      .trim()
      .max(REFUND_REASON_MAX_CHARS)
      .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]*$/u, 'no control or format characters')
      .default('')
      .describe('Shown to the payer and in the statements'),
  }),
  status: 201,
  response: z.object({
    refund,
    payment: refundablePayment,
    replayed: z.boolean().describe('True when this key had already made this refund'),
  }),
  errors: [400, 401, 404, 409],
} as const satisfies RouteSpec;

/** GET /v1/payments/:paymentId/refunds */
export const paymentRefunds = {
  method: 'GET',
  path: '/v1/payments/:paymentId/refunds',
  auth: true,
  tag: 'refunds',
  summary: 'A payment settled to you, or paid by you, with its refunds and what remains refundable',
  params: paymentParams,
  status: 200,
  response: refundablePayment,
  errors: [400, 401, 404],
} as const satisfies RouteSpec;

/**
 * Merchant webhooks (docs/webhooks.md): a verified merchant registers an https endpoint and the
 * bank POSTs it signed events — settlement outcomes, refunds, payouts — written to an outbox in
 * the transaction that moved the money, delivered at least once with retries. The merchant reads
 * its own delivery log; operators read every endpoint's (the console's delivery log).
 */
import { z } from 'zod';
import { instant, rowId, uuid } from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';

/** The events a merchant can receive (docs/webhooks.md "Events"). */
export const WEBHOOK_EVENT_TYPES = [
  'settlement.settled',
  'refund.created',
  'payout.requested',
  'payout.approved',
  'payout.refused',
  'payout.paid',
  'payout.failed',
] as const;
/** One of {@link WEBHOOK_EVENT_TYPES}. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** States of one delivery: waiting (or retrying), delivered (a 2xx), or given up. */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
/** Most enabled webhook endpoints one account may have. */
export const WEBHOOKS_MAX = 5;
/** Longest webhook URL, in characters. */
export const WEBHOOK_URL_MAX_CHARS = 2048;
/** Most deliveries one list answer holds. */
export const WEBHOOK_DELIVERIES_PAGE_MAX = 200;
/** Longest `lastError` the bank keeps for a delivery, in characters. */
export const WEBHOOK_ERROR_MAX_CHARS = 300;

/** A registered endpoint, as its owner and operators see it: never its secret. */
export const webhookEndpoint = z.object({
  id: uuid,
  url: z.string().max(WEBHOOK_URL_MAX_CHARS),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).max(WEBHOOK_EVENT_TYPES.length),
  enabled: z.boolean(),
  createdAt: instant,
  disabledAt: instant.nullable(),
});

/** One event for one endpoint, and how its delivery went. */
export const webhookDelivery = z.object({
  cursor: rowId.describe('Pass as `before` for the next (older) page'),
  eventId: uuid.describe('The Offpay-Event-Id header: the same on every attempt, for dedupe'),
  endpointId: uuid,
  type: z.enum(WEBHOOK_EVENT_TYPES),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int().min(0).max(1000),
  createdAt: instant,
  nextAttemptAt: instant.nullable().describe('When the next attempt is due (pending only)'),
  lastAttemptAt: instant.nullable(),
  lastStatusCode: z.number().int().min(100).max(599).nullable(),
  lastError: z.string().max(WEBHOOK_ERROR_MAX_CHARS).nullable(),
  deliveredAt: instant.nullable(),
});

const endpointParams = z.object({ id: uuid });
const limit = z.coerce.number().int().min(1).max(WEBHOOK_DELIVERIES_PAGE_MAX).default(50);
const before = rowId.optional().describe('Only deliveries older than this cursor');
const deliveries = z.object({
  deliveries: z.array(webhookDelivery).max(WEBHOOK_DELIVERIES_PAGE_MAX),
});

/** POST /v1/webhooks */
export const createWebhook = {
  method: 'POST',
  path: '/v1/webhooks',
  auth: true,
  tag: 'webhooks',
  summary: 'Register an https endpoint for signed events; answers its signing secret, once',
  description:
    'Verified merchants only (403 BANK_MERCHANT_NOT_VERIFIED). The URL must be https (422 ' +
    'BANK_WEBHOOK_URL_INVALID); at most 5 enabled endpoints (409 BANK_WEBHOOKS_LIMIT). The ' +
    'secret signs every delivery (Offpay-Signature, docs/webhooks.md) and is never shown again.',
  body: z.object({
    url: z.string().trim().min(8).max(WEBHOOK_URL_MAX_CHARS),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .optional()
      .describe('The events to send; absent → every event'),
  }),
  status: 201,
  response: z.object({
    endpoint: webhookEndpoint,
    secret: z.string().max(100).describe('whsec_…: keep it; the bank shows it only this once'),
  }),
  errors: [400, 401, 403, 409, 422],
} as const satisfies RouteSpec;

/** GET /v1/webhooks */
export const listWebhooks = {
  method: 'GET',
  path: '/v1/webhooks',
  auth: true,
  tag: 'webhooks',
  summary: 'Your webhook endpoints, enabled and disabled (never their secrets)',
  status: 200,
  response: z.object({ endpoints: z.array(webhookEndpoint).max(100) }),
  errors: [401],
} as const satisfies RouteSpec;

/** POST /v1/webhooks/:id/disable */
export const disableWebhook = {
  method: 'POST',
  path: '/v1/webhooks/:id/disable',
  auth: true,
  tag: 'webhooks',
  summary: 'Disable an endpoint: nothing more is sent to it; its delivery log stays',
  description:
    'Deliveries still pending for it are marked failed. Disabling twice answers the same endpoint.',
  params: endpointParams,
  status: 200,
  response: webhookEndpoint,
  errors: [400, 401, 404],
} as const satisfies RouteSpec;

/** GET /v1/webhooks/:id/deliveries */
export const webhookDeliveries = {
  method: 'GET',
  path: '/v1/webhooks/:id/deliveries',
  auth: true,
  tag: 'webhooks',
  summary: "One of your endpoints' deliveries, newest first",
  params: endpointParams,
  query: z.object({ limit, before }),
  status: 200,
  response: deliveries,
  errors: [400, 401, 404],
} as const satisfies RouteSpec;

/** GET /v1/operator/webhook-deliveries */
export const operatorWebhookDeliveries = {
  method: 'GET',
  path: '/v1/operator/webhook-deliveries',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'webhooks',
  summary: 'The delivery log of every endpoint, newest first (filter by status and endpoint)',
  query: z.object({
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
    endpointId: uuid.optional(),
    limit,
    before,
  }),
  status: 200,
  response: z.object({
    deliveries: z
      .array(webhookDelivery.extend({ userId: uuid, url: z.string().max(WEBHOOK_URL_MAX_CHARS) }))
      .max(WEBHOOK_DELIVERIES_PAGE_MAX),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

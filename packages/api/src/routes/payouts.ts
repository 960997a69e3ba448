/**
 * Money out (docs/operations.md "An operator's day: deposits in, payouts out"): a customer or
 * merchant registers a payout account (IBAN) and requests a payout of available money — held at
 * once; an operator approves or refuses, exports approved payouts as an ISO 20022 pain.001 file
 * (in flight), then confirms or fails each (failed and refused money comes back).
 */
import { z } from 'zod';
import { amountMinor, currency, instant, uuid } from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';
import { reason } from './operators.js';

/** States of a payout (apps/bank/migrations/008_deposits_payouts.sql). */
export const PAYOUT_STATES = [
  'requested',
  'approved',
  'refused',
  'in_flight',
  'confirmed',
  'failed',
] as const;
/** Most payout accounts one customer may register. */
export const PAYOUT_ACCOUNTS_MAX = 10;
/** Most payouts one list answer holds. */
export const PAYOUTS_PAGE_MAX = 200;
/** Most payouts one exported batch (one pain.001 file) carries. */
export const PAYOUT_BATCH_MAX = 500;
/** Longest pain.001 file the bank writes, in characters. */
export const PAIN001_MAX_CHARS = 4 * 1024 * 1024;

/** An IBAN as sent: spaces allowed (they are removed); checked by the bank (BANK_IBAN_INVALID). */
const ibanInput = z
  .string()
  .min(15)
  .max(50)
  .describe('IBAN, electronic or print format (spaces allowed), checked with its check digits');
/** An IBAN as the bank writes it: electronic format. */
const iban = z
  .string()
  .max(34)
  .regex(/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/);
/** The account holder's name as it goes into the transfer (pain.001 allows 70 characters). */
const holderName = z
  .string()
  .max(280)
  .trim()
  .min(1)
  .max(70)
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, 'no control or format characters')
  .describe("The account holder's name, 1 … 70 characters");

/** A registered payout account. */
export const payoutAccount = z.object({
  id: uuid,
  iban,
  holderName: z.string().max(70),
  createdAt: instant,
});

/** A payout as its requester sees it. */
export const payout = z.object({
  id: uuid,
  state: z.enum(PAYOUT_STATES),
  currency,
  amountMinor,
  payoutAccountId: uuid,
  iban,
  requestedAt: instant,
  decidedAt: instant.nullable(),
  reason: z.string().max(500).nullable().describe("The operator's reason, once decided"),
  batchId: uuid.nullable(),
  settledAt: instant.nullable(),
});

/** A payout as an operator sees it: with the requester and the holder's name. */
export const operatorPayout = payout.extend({
  userId: uuid,
  email: z.string().max(254),
  holderName: z.string().max(70),
  settledReason: z.string().max(500).nullable(),
});

/** POST /v1/payout-accounts */
export const registerPayoutAccount = {
  method: 'POST',
  path: '/v1/payout-accounts',
  auth: true,
  tag: 'money',
  summary:
    'Register a payout account (IBAN and holder name); the same IBAN again answers the first',
  body: z.object({ iban: ibanInput, holderName }),
  status: 201,
  response: payoutAccount,
  errors: [400, 401, 409, 422],
} as const satisfies RouteSpec;

/** GET /v1/payout-accounts */
export const payoutAccounts = {
  method: 'GET',
  path: '/v1/payout-accounts',
  auth: true,
  tag: 'money',
  summary: 'Your payout accounts',
  status: 200,
  response: z.object({ accounts: z.array(payoutAccount).max(PAYOUT_ACCOUNTS_MAX) }),
  errors: [401],
} as const satisfies RouteSpec;

/** POST /v1/payouts */
export const requestPayout = {
  method: 'POST',
  path: '/v1/payouts',
  auth: true,
  tag: 'money',
  summary: 'Request a payout of available money: the amount is held at once',
  description:
    'Idempotent by the Idempotency-Key header: the same key with the same request answers the ' +
    'first payout; with another request, 409 BANK_IDEMPOTENCY_KEY_REUSED. Money held for a ' +
    'payout cannot be spent or paid out again; a refused or failed payout returns it.',
  headers: z.object({
    'idempotency-key': z
      .string()
      .min(8)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, '8 … 64 letters, digits, _ or -')
      .describe('A key of your choosing, new for each payout (a UUID will do)'),
  }),
  body: z.object({ payoutAccountId: uuid, amountMinor, currency }),
  status: 201,
  response: payout,
  errors: [400, 401, 404, 409, 422],
} as const satisfies RouteSpec;

/** GET /v1/payouts */
export const myPayouts = {
  method: 'GET',
  path: '/v1/payouts',
  auth: true,
  tag: 'money',
  summary: 'Your payouts, newest first',
  query: z.object({ limit: z.coerce.number().int().min(1).max(PAYOUTS_PAGE_MAX).default(50) }),
  status: 200,
  response: z.object({ payouts: z.array(payout).max(PAYOUTS_PAGE_MAX) }),
  errors: [400, 401],
} as const satisfies RouteSpec;

/** GET /v1/operator/payouts */
export const operatorPayouts = {
  method: 'GET',
  path: '/v1/operator/payouts',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'money',
  summary: 'Payouts in one state (default requested), oldest first',
  query: z.object({
    state: z.enum(PAYOUT_STATES).default('requested'),
    limit: z.coerce.number().int().min(1).max(PAYOUTS_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({ payouts: z.array(operatorPayout).max(PAYOUTS_PAGE_MAX) }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

const payoutParams = z.object({ id: uuid });

/** One step of an operator on one payout. */
function step(verb: string, summary: string) {
  return {
    method: 'POST',
    path: `/v1/operator/payouts/:id/${verb}`,
    auth: true,
    operator: { roles: ['operator'], kind: 'change' },
    tag: 'money',
    summary,
    params: payoutParams,
    body: z.object({ reason }),
    status: 200,
    response: operatorPayout,
    errors: [400, 401, 403, 404, 409],
  } as const satisfies RouteSpec;
}

/** POST /v1/operator/payouts/:id/approve */
export const approvePayout = step(
  'approve',
  'Approve a requested payout (it joins the next batch)',
);
/** POST /v1/operator/payouts/:id/refuse */
export const refusePayout = step('refuse', 'Refuse a requested payout: the held money goes back');
/** POST /v1/operator/payouts/:id/confirm */
export const confirmPayout = step(
  'confirm',
  'Confirm an exported payout was paid: the money leaves to clearing',
);
/** POST /v1/operator/payouts/:id/fail */
export const failPayout = step('fail', 'Mark an exported payout failed: the held money goes back');

/** An exported batch. */
export const payoutBatch = z.object({
  id: uuid,
  messageId: z.string().max(35),
  currency,
  payouts: z.number().int().min(1).max(PAYOUT_BATCH_MAX),
  totalMinor: z
    .string()
    .max(19)
    .regex(/^[1-9][0-9]{0,18}$/),
  createdAt: instant,
  path: z.string().max(100).describe('Where to download its pain.001 file'),
});

/** POST /v1/operator/payout-batches */
export const exportPayoutBatch = {
  method: 'POST',
  path: '/v1/operator/payout-batches',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'money',
  summary: `Export the approved payouts of one currency (oldest ${PAYOUT_BATCH_MAX}) as a batch: they are in flight`,
  body: z.object({ currency, reason }),
  status: 201,
  response: payoutBatch,
  errors: [400, 401, 403, 409],
} as const satisfies RouteSpec;

/** GET /v1/operator/payout-batches/:id/pain.001 */
export const payoutBatchFile = {
  method: 'GET',
  path: '/v1/operator/payout-batches/:id/pain.001',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'money',
  summary: 'The batch as an ISO 20022 pain.001.001.03 credit transfer initiation (XML)',
  description:
    'One PmtInf with one CdtTrfTxInf per payout; EndToEndId is the payout id without dashes; ' +
    'amounts are decimal strings of the minor units; NbOfTxs and CtrlSum cover the whole file.',
  params: z.object({ id: uuid }),
  status: 200,
  contentType: 'application/xml',
  response: z.string().max(PAIN001_MAX_CHARS),
  errors: [400, 401, 403, 404],
} as const satisfies RouteSpec;

/**
 * Merchant verification (docs/operations.md "Merchants"): a customer applies with a legal name,
 * the display name payers will see and a contact; an operator approves or refuses with a reason.
 * Only a verified merchant's account gets payee certificates, with the approved name.
 */
import { LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import { instant, uuid } from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';
import { reason } from './operators.js';

/** States of a merchant application. */
export const APPLICATION_STATES = ['pending', 'approved', 'refused'] as const;

/** Most applications one page of GET /v1/operator/merchant-applications holds. */
export const APPLICATIONS_PAGE_MAX = 100;

// No control or format characters: names and contacts are shown to operators and payers.
const text = (max: number) =>
  z
    .string()
    .max(max * 4)
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, 'no control or format characters');

/** What a customer sends to apply. */
const applicationInput = z.object({
  legalName: text(200).describe('The registered legal name of the business'),
  // Judged by the bank with the protocol's isDisplayText (docs/protocol.md §3) and the name
  // rules: 422 BANK_DISPLAY_NAME_UNUSABLE for any forbidden code point or more than 64 bytes.
  displayName: z
    .string()
    .max(LIMITS.displayNameBytes * 4)
    .describe(
      'The name payers will see on the till and in the wallet (1 … 64 UTF-8 bytes of display text, one script)',
    ),
  contact: text(200).describe('How the bank reaches the business (email or phone)'),
});

/** An application as its applicant sees it. */
export const merchantApplication = z.object({
  id: uuid,
  state: z.enum(APPLICATION_STATES),
  legalName: z.string().max(200),
  displayName: z.string().max(LIMITS.displayNameBytes),
  contact: z.string().max(200),
  submittedAt: instant,
  decidedAt: instant.nullable(),
  reason: z.string().max(500).nullable().describe("The operator's reason, once decided"),
});

/** An application as an operator sees it: with the applicant's account. */
export const operatorApplication = merchantApplication.extend({
  userId: uuid,
  email: z.string().max(254),
});

/** POST /v1/merchant/application */
export const applyAsMerchant = {
  method: 'POST',
  path: '/v1/merchant/application',
  auth: true,
  tag: 'merchants',
  summary: 'Apply to be a verified merchant (one open application per account)',
  body: applicationInput,
  status: 201,
  response: merchantApplication,
  errors: [400, 401, 409, 422],
} as const satisfies RouteSpec;

/** GET /v1/merchant/application */
export const merchantStatus = {
  method: 'GET',
  path: '/v1/merchant/application',
  auth: true,
  tag: 'merchants',
  summary: 'Your latest application and, once approved, your verified merchant name',
  status: 200,
  response: z.object({
    application: merchantApplication.nullable(),
    verified: z
      .object({ displayName: z.string().max(LIMITS.displayNameBytes), verifiedAt: instant })
      .nullable(),
  }),
  errors: [401],
} as const satisfies RouteSpec;

const applicationParams = z.object({ id: uuid });

/** GET /v1/operator/merchant-applications */
export const listMerchantApplications = {
  method: 'GET',
  path: '/v1/operator/merchant-applications',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'operators',
  summary: 'The queue: applications in one state (default pending), oldest first',
  query: z.object({
    state: z.enum(APPLICATION_STATES).default('pending'),
    limit: z.coerce.number().int().min(1).max(APPLICATIONS_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    applications: z.array(operatorApplication).max(APPLICATIONS_PAGE_MAX),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** GET /v1/operator/merchant-applications/:id */
export const getMerchantApplication = {
  method: 'GET',
  path: '/v1/operator/merchant-applications/:id',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'operators',
  summary: 'One application',
  params: applicationParams,
  status: 200,
  response: operatorApplication,
  errors: [400, 401, 403, 404],
} as const satisfies RouteSpec;

/** POST /v1/operator/merchant-applications/:id/approve */
export const approveMerchantApplication = {
  method: 'POST',
  path: '/v1/operator/merchant-applications/:id/approve',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'operators',
  summary: 'Approve: the account becomes a verified merchant and the display name is reserved',
  description:
    'Refused when the name is taken under case folding (BANK_DISPLAY_NAME_TAKEN) or confusable ' +
    'with a verified name (BANK_DISPLAY_NAME_CONFUSABLE), checked again at this moment.',
  params: applicationParams,
  body: z.object({ reason }),
  status: 200,
  response: operatorApplication,
  errors: [400, 401, 403, 404, 409, 422],
} as const satisfies RouteSpec;

/** POST /v1/operator/merchant-applications/:id/refuse */
export const refuseMerchantApplication = {
  method: 'POST',
  path: '/v1/operator/merchant-applications/:id/refuse',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'operators',
  summary: 'Refuse, with the reason the applicant will read',
  params: applicationParams,
  body: z.object({ reason }),
  status: 200,
  response: operatorApplication,
  errors: [400, 401, 403, 404, 409],
} as const satisfies RouteSpec;

/**
 * Operators (docs/operations.md "Operators"): their own login with a second factor (TOTP), their
 * own tokens, and the audit log they answer to.
 */
import { z } from 'zod';
import { instant, rowCursor, uuid } from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';

const email = z.email().max(254).describe('Operator login name; compared case-insensitively');

/** An operator as the API shows one. */
export const operatorView = z.object({
  id: uuid,
  email: z.string().max(254),
  role: z.enum(OPERATOR_ROLES),
});

/**
 * Why an operator makes a change: required on every changing operator request, kept in the audit
 * log with who, what and when.
 */
export const reason = z
  .string()
  .max(1000)
  .trim()
  .min(3, 'say why (at least 3 characters)')
  .max(500)
  .regex(/^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u, 'no control or format characters')
  .describe('Why: kept in the audit log with who, what and when (3 … 500 characters)');

/** Most audit entries one page of GET /v1/operator/audit holds. */
export const AUDIT_PAGE_MAX = 200;

/** POST /v1/operator/auth/login */
export const operatorLogin = {
  method: 'POST',
  path: '/v1/operator/auth/login',
  auth: false,
  tag: 'operators',
  summary: 'Sign an operator in: email, password and the current TOTP code (RFC 6238)',
  description:
    'A code is accepted once: a replayed code is refused like a wrong one. Unknown emails, wrong ' +
    'passwords and wrong codes get the same answer in similar time. Rate-limited per client ' +
    'address across emails.',
  body: z.object({
    email,
    password: z.string().min(1).max(256),
    code: z
      .string()
      .length(6)
      .regex(/^[0-9]{6}$/, 'six digits from the authenticator app'),
  }),
  status: 200,
  response: z.object({
    accessToken: z
      .string()
      .max(8192)
      .regex(/^[A-Za-z0-9._~+/=-]+$/),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().min(1).max(86_400).describe('Seconds'),
    expiresAt: instant,
    operator: operatorView,
  }),
  errors: [400, 401, 429],
} as const satisfies RouteSpec;

/** POST /v1/operator/auth/logout */
export const operatorLogout = {
  method: 'POST',
  path: '/v1/operator/auth/logout',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'session' },
  tag: 'operators',
  summary: 'End every session of the calling operator (its tokens stop working at once)',
  status: 204,
  response: z.null().describe('No content'),
  errors: [401, 403],
} as const satisfies RouteSpec;

/** GET /v1/operator/me */
export const operatorMe = {
  method: 'GET',
  path: '/v1/operator/me',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'session' },
  tag: 'operators',
  summary: 'The calling operator',
  status: 200,
  response: operatorView,
  errors: [401, 403],
} as const satisfies RouteSpec;

/** One entry of the hash-chained audit log. */
export const auditEntry = z.object({
  id: z
    .string()
    .max(20)
    .regex(/^[1-9][0-9]*$/),
  at: instant,
  actor: z.string().max(200),
  action: z.string().max(64),
  data: z
    .record(
      z.string().max(64),
      z.union([
        z.string().max(2000),
        z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
        z.boolean(),
        z.null(),
      ]),
    )
    .refine((d) => Object.keys(d).length <= 32, 'at most 32 fields')
    .describe('What the entry says (never secrets); lists and objects as JSON text'),
});

/** GET /v1/operator/audit */
export const operatorAudit = {
  method: 'GET',
  path: '/v1/operator/audit',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'operators',
  summary: 'Audit log entries after an id, oldest first, with the whole chain verified',
  query: z.object({
    after: rowCursor.default('0').describe('Entries with a greater id'),
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    entries: z.array(auditEntry).max(AUDIT_PAGE_MAX),
    chain: z.object({
      ok: z.boolean(),
      count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      brokenAt: z.string().max(20).nullable(),
    }),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

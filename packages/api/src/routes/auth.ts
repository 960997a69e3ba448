/** Registration, login and logout. */
import { isDisplayText, LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import { currency, instant, uuid } from '../fields.js';
import type { RouteSpec } from '../route.js';

const email = z.email().max(254).describe('Login name; compared case-insensitively');

/** POST /v1/auth/register */
export const register = {
  method: 'POST',
  path: '/v1/auth/register',
  auth: false,
  tag: 'auth',
  summary: 'Create a user and its customer account',
  body: z.object({
    email,
    password: z.string().min(10).max(256).describe('At least 10 characters'),
    // Display text as the protocol defines it (docs/protocol.md §3): a name is shown to people,
    // so no controls, format characters (bidi tricks), surrogates, private use or separators.
    displayName: z
      .string()
      .max(256)
      .trim()
      .refine(
        (s) => isDisplayText(s, LIMITS.displayNameBytes, 1),
        `1 … ${LIMITS.displayNameBytes} UTF-8 bytes of display text (docs/protocol.md §3)`,
      ),
    currency: currency.default('EUR'),
  }),
  status: 201,
  response: z.object({
    userId: uuid,
    accountId: uuid,
    email: z.string().max(254),
    displayName: z.string().max(LIMITS.displayNameBytes),
    currency,
  }),
  errors: [400, 409],
} as const satisfies RouteSpec;

/** POST /v1/auth/login */
export const login = {
  method: 'POST',
  path: '/v1/auth/login',
  auth: false,
  tag: 'auth',
  summary: 'Exchange email and password for a Bearer access token (JWT, HS256)',
  body: z.object({ email, password: z.string().min(1).max(256) }),
  status: 200,
  response: z.object({
    accessToken: z
      .string()
      .max(8192)
      .regex(/^[A-Za-z0-9._~+/=-]+$/),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().min(1).max(86_400).describe('Seconds'),
    expiresAt: instant,
  }),
  errors: [400, 401, 429],
} as const satisfies RouteSpec;

/** POST /v1/auth/logout */
export const logout = {
  method: 'POST',
  path: '/v1/auth/logout',
  auth: true,
  tag: 'auth',
  summary: 'Log out everywhere: every token issued so far stops working',
  status: 204,
  response: z.null().describe('No content'),
  errors: [401],
} as const satisfies RouteSpec;

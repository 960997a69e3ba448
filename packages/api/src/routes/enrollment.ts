/** Enrollment (docs/protocol.md §4.3): a challenge, then a certificate for the device's keys. */
import { CHALLENGE_LENGTH, LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import {
  amountMinor,
  base64UrlBytes,
  base64UrlUpTo,
  currency,
  instant,
  serial,
} from '../fields.js';
import type { RouteSpec } from '../route.js';

/** The id of an enrollment challenge: 16 random bytes, base64url. */
const challengeId = z
  .string()
  .length(22, 'challengeId as returned by POST /v1/enrollment/challenge')
  .regex(/^[A-Za-z0-9_-]{22}$/, 'challengeId as returned by POST /v1/enrollment/challenge');

const signature = base64UrlBytes(64, 'signature').describe(
  'ECDSA P-256 signature (r ‖ s, 64 bytes) over the enrollment tbs, docs/protocol.md §4.3',
);

const enrollmentErrors = [400, 401, 404, 409, 429] as const;

/** POST /v1/enrollment/challenge */
export const enrollmentChallenge = {
  method: 'POST',
  path: '/v1/enrollment/challenge',
  auth: true,
  tag: 'enrollment',
  summary: 'A single-use challenge (5 minutes) for the device to sign (docs/protocol.md §4.3)',
  status: 201,
  response: z.object({
    challengeId,
    challenge: base64UrlBytes(CHALLENGE_LENGTH, 'challenge'),
    expiresAt: instant,
  }),
  errors: [401, 429, 503],
} as const satisfies RouteSpec;

/** What both enrollments answer. */
const issued = z.object({
  serial,
  certificate: base64UrlUpTo(LIMITS.certificateBytes, 'certificate').describe(
    'CBOR [tbs, signature], base64url (docs/protocol.md §4)',
  ),
  expiresAt: instant,
  currency,
});

/** POST /v1/enrollment/payer */
export const enrollPayer = {
  method: 'POST',
  path: '/v1/enrollment/payer',
  auth: true,
  tag: 'enrollment',
  summary:
    'Certify a payer key; reserves limitMinor from your account until expiry + grace. Needs a token from a sign-in at most ENROLL_SIGN_IN_MAX_AGE_SECONDS old (401 BANK_SIGN_IN_REQUIRED)',
  body: z.object({
    challengeId,
    signKey: base64UrlBytes(33, 'signKey').describe("The payer device's compressed P-256 key"),
    signature,
    limitMinor: amountMinor.describe(
      'The reserve, and the most the certificate may ever spend (minor units)',
    ),
    currency: currency.optional().describe('Default: the currency of your account'),
  }),
  status: 201,
  response: issued.extend({ limitMinor: amountMinor }),
  errors: enrollmentErrors,
} as const satisfies RouteSpec;

/** POST /v1/enrollment/payee */
export const enrollPayee = {
  method: 'POST',
  path: '/v1/enrollment/payee',
  auth: true,
  tag: 'enrollment',
  summary: "Certify a receiver's keys with your account's verified display name",
  body: z.object({
    challengeId,
    signKey: base64UrlBytes(33, 'signKey').describe("The receiver device's compressed P-256 key"),
    kemKey: base64UrlBytes(33, 'kemKey').describe("The receiver's compressed P-256 HPKE key"),
    signature,
  }),
  status: 201,
  response: issued.extend({ displayName: z.string().max(LIMITS.displayNameBytes) }),
  errors: [...enrollmentErrors, 422],
} as const satisfies RouteSpec;

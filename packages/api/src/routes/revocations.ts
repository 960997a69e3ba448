/** Closing a certificate, and the bank-signed revocation list (docs/protocol.md §11). */
import { LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import { base64UrlUpTo, instant, serial } from '../fields.js';
import type { RouteSpec } from '../route.js';

/** Status of a certificate. */
export const CERTIFICATE_STATUSES = ['active', 'closed', 'revoked'] as const;
/** Why a certificate was revoked. */
export const REVOCATION_REASONS = ['fraud', 'closed', 'compromised'] as const;

/** POST /v1/certificates/:serial/close */
export const closeCertificate = {
  method: 'POST',
  path: '/v1/certificates/:serial/close',
  auth: true,
  tag: 'certificates',
  summary:
    'Close your certificate: revoked at once; a payer reserve still returns only at expiry + grace',
  params: z.object({ serial }),
  status: 200,
  response: z.object({
    serial,
    kind: z.enum(['payer', 'payee']),
    status: z.enum(CERTIFICATE_STATUSES),
    reason: z.enum(REVOCATION_REASONS),
    closedAt: instant,
  }),
  errors: [400, 401, 404],
} as const satisfies RouteSpec;

/** GET /v1/revocations */
export const revocations = {
  method: 'GET',
  path: '/v1/revocations',
  auth: false,
  tag: 'certificates',
  summary: 'The latest bank-signed revocation list (docs/protocol.md §11); keep the highest seq',
  status: 200,
  response: z.object({
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    issuedAt: instant,
    serials: z
      .array(serial)
      .max(LIMITS.revocationListEntries)
      .describe('Revoked payer serials that could still settle, ascending'),
    signed: base64UrlUpTo(LIMITS.revocationListBytes, 'signed').describe(
      'The signed list, CBOR [tbs, signature], base64url (docs/protocol.md §11)',
    ),
    bankTime: instant.describe(
      "The bank's clock when answering (up to 30 s old when cached): apps refuse a device clock before it",
    ),
  }),
  errors: [],
} as const satisfies RouteSpec;

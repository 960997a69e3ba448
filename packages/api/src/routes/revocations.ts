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

/** A list's sequence number. */
const listSeq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const bankTime = instant.describe(
  "The bank's clock when answering (up to 30 s old when cached): apps refuse a device clock before it",
);

/** The full signed list (also the answer without `since`, as before deltas existed). */
const fullList = z.object({
  kind: z.literal('list').describe('The full list: replace what you hold'),
  seq: listSeq,
  issuedAt: instant,
  serials: z
    .array(serial)
    .max(LIMITS.revocationListEntries)
    .describe('Revoked payer serials that could still settle, ascending'),
  signed: base64UrlUpTo(LIMITS.revocationListBytes, 'signed').describe(
    'The signed list, CBOR [tbs, signature], base64url (docs/protocol.md §11)',
  ),
  bankTime,
});

const serialSet = (what: string) =>
  z.array(serial).max(LIMITS.revocationDeltaEntries).describe(`${what}, ascending`);

/** The signed changes from list `since` to the latest list. */
const delta = z.object({
  kind: z.literal('delta').describe('Changes since your list: apply them when fromSeq = your seq'),
  fromSeq: listSeq,
  toSeq: listSeq,
  issuedAt: instant,
  added: serialSet('Serials on list toSeq and not on list fromSeq'),
  removed: serialSet('Serials on list fromSeq and not on list toSeq (past expiry + grace)'),
  signed: base64UrlUpTo(LIMITS.revocationDeltaBytes, 'signed').describe(
    'The signed delta, CBOR [tbs, signature], base64url (docs/protocol.md §11.1)',
  ),
  bankTime,
});

/** GET /v1/revocations */
export const revocations = {
  method: 'GET',
  path: '/v1/revocations',
  auth: false,
  tag: 'certificates',
  summary:
    'The latest bank-signed revocation list, or with ?since=<your seq> the signed delta from your list (docs/protocol.md §11)',
  description:
    'Without `since`: the full list (`kind: list`). With `since`: a delta (`kind: delta`) when the ' +
    'bank still has the changes since that list and they are few; otherwise the full list. Keep the ' +
    'highest seq; apply a delta only when its fromSeq equals your seq.',
  query: z.object({
    since: z
      .string()
      .max(16)
      .regex(/^(0|[1-9][0-9]{0,15})$/, 'since is a list sequence number')
      .refine((s) => Number(s) <= Number.MAX_SAFE_INTEGER, 'since is at most 2^53 − 1')
      .optional()
      .describe('The seq of the list you hold'),
  }),
  status: 200,
  response: z.discriminatedUnion('kind', [fullList, delta]),
  errors: [400],
} as const satisfies RouteSpec;

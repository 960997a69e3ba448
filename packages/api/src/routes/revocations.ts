/**
 * Your certificates: listing them, closing one, reporting one's device lost or stolen, handing a
 * stolen till's ledger over to a new till; and the bank-signed revocation list
 * (docs/protocol.md §9.7, §11; docs/threat-model.md "Liability").
 */
import { LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import { amountMinor, base64UrlUpTo, currency, hex, instant, serial } from '../fields.js';
import type { RouteSpec } from '../route.js';

/** Status of a certificate. */
export const CERTIFICATE_STATUSES = ['active', 'closed', 'revoked'] as const;
/** Why a certificate was revoked. */
export const REVOCATION_REASONS = ['fraud', 'closed', 'compromised'] as const;

/** What an owner reports about the device holding a certificate. */
export const REPORT_REASONS = ['lost', 'stolen'] as const;

/** Most certificates GET /v1/certificates lists (newest first). */
export const CERTIFICATES_MAX = 100;

const certificateState = z.object({
  serial,
  kind: z.enum(['payer', 'payee']),
  status: z.enum(CERTIFICATE_STATUSES),
  reason: z.enum(REVOCATION_REASONS),
  closedAt: instant,
});

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
  response: certificateState,
  errors: [400, 401, 404],
} as const satisfies RouteSpec;

/** POST /v1/certificates/:serial/report */
export const reportCertificate = {
  method: 'POST',
  path: '/v1/certificates/:serial/report',
  auth: true,
  tag: 'certificates',
  summary:
    'Report the device holding your certificate lost or stolen: revoked as compromised at once',
  description:
    'Idempotent: reporting again answers the first report. A payer certificate goes on the ' +
    'revocation list and nothing beyond what is left of its reserve is taken for payments ' +
    'settled from now on; a payee certificate (a till) settles nothing any more until a new till ' +
    'takes its ledger over (POST /v1/payee/handovers). The first report also ends every ' +
    "session of the account, the caller's included (signedOut: true): the lost device's tab " +
    'held one. No new token is given; sign in again. A repeated report ends none (signedOut: ' +
    'false). docs/threat-model.md "Liability" and §4.1.',
  params: z.object({ serial }),
  body: z.object({ reason: z.enum(REPORT_REASONS) }),
  status: 200,
  response: certificateState.extend({
    reportedAt: instant.describe('When the device was first reported lost or stolen'),
    signedOut: z
      .boolean()
      .describe(
        "True when this report ended every session of the account, the caller's too: sign in again",
      ),
  }),
  errors: [400, 401, 404, 429],
} as const satisfies RouteSpec;

/** One of your certificates. */
export const ownCertificate = z.object({
  serial,
  kind: z.enum(['payer', 'payee']),
  status: z.enum(CERTIFICATE_STATUSES),
  currency,
  limitMinor: amountMinor.nullable().describe("A payer certificate's allowance; null for a till"),
  displayName: z.string().max(64).nullable().describe("A till's shop name; null for a wallet"),
  issuedAt: instant,
  expiresAt: instant,
  closedAt: instant.nullable(),
  reason: z.enum(REVOCATION_REASONS).nullable().describe('Why it was revoked, if it was'),
  reportedAt: instant.nullable().describe('When its device was reported lost or stolen'),
  handedOverTo: serial
    .nullable()
    .describe("A till's ledger handed over to this till (docs/protocol.md §9.7)"),
});

/** GET /v1/certificates */
export const certificates = {
  method: 'GET',
  path: '/v1/certificates',
  auth: true,
  tag: 'certificates',
  summary: `Your certificates, wallets and tills (newest ${CERTIFICATES_MAX})`,
  status: 200,
  response: z.object({ certificates: z.array(ownCertificate).max(CERTIFICATES_MAX) }),
  errors: [401],
} as const satisfies RouteSpec;

/** POST /v1/payee/handovers */
export const ledgerHandover = {
  method: 'POST',
  path: '/v1/payee/handovers',
  auth: false,
  tag: 'settlement',
  summary:
    'A new till takes over the ledger of a till reported lost or stolen (docs/protocol.md §9.7)',
  description:
    'The handover is signed by the new till, which must be an active till of the same account. ' +
    "The old till's settled head is set to the handover's: later batches of the old ledger settle " +
    'when the new till signs them. The same handover again changes nothing.',
  body: z.object({
    handover: base64UrlUpTo(LIMITS.ledgerHandoverBytes, 'handover').describe(
      'The signed handover [tbs, signature], base64url (docs/protocol.md §9.7)',
    ),
  }),
  status: 200,
  response: z.object({
    fromSerial: serial.describe('The till reported compromised'),
    toSerial: serial.describe('The till that signs its ledger from now on'),
    nextIndex: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    head: hex(32).describe("The old ledger's settled head from now on"),
  }),
  errors: [400, 404, 409, 429],
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

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
    'takes its ledger over (POST /v1/payee/handovers). docs/threat-model.md "Liability".',
  params: z.object({ serial }),
  body: z.object({ reason: z.enum(REPORT_REASONS) }),
  status: 200,
  response: certificateState.extend({
    reportedAt: instant.describe('When the device was first reported lost or stolen'),
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

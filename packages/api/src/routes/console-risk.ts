/**
 * The operators' console: fraud proofs with their two payments side by side and what was
 * recovered, and certificates with revocation (docs/operations.md "The console"; issue #13
 * item 7). Reads for operators and auditors; revoking is a change, for operators only.
 */
import { z } from 'zod';
import {
  amountMinor,
  balanceMinor,
  currency,
  hex,
  instant,
  rowId,
  serial,
  uuid,
} from '../fields.js';
import { OPERATOR_ROLES, type RouteSpec } from '../route.js';
import { searchText } from './console-accounts.js';
import { FRAUD_KINDS } from './fraud.js';
import { reason } from './operators.js';
import { CERTIFICATE_STATUSES, REVOCATION_REASONS } from './revocations.js';

/** Most fraud proofs one page of GET /v1/operator/fraud-proofs holds. */
export const OPERATOR_FRAUD_PROOFS_PAGE_MAX = 100;
/** Most certificates one page of GET /v1/operator/certificates holds. */
export const OPERATOR_CERTIFICATES_PAGE_MAX = 200;
/** Reasons an operator may revoke with (`fraud` needs a stored proof: POST /v1/fraud-proofs). */
export const OPERATOR_REVOCATION_REASONS = ['compromised', 'closed'] as const;

const email = z.string().max(254);

/** The owner of a certificate. */
const owner = z.object({ userId: uuid, email, accountId: uuid });

/** What the bank recovered for a proven certificate, in its currency. */
export const recovery = z.object({
  currency,
  limitMinor: amountMinor.describe('The reserve the certificate was issued with'),
  settledMinor: balanceMinor.describe('Everything settled against the certificate'),
  reserveUsedMinor: balanceMinor.describe('What the settled payments took from the reserve'),
  beyondReserveMinor: balanceMinor.describe('What settled beyond the reserve'),
  recoveredFromBalanceMinor: balanceMinor.describe(
    "What recovery transfers took from the payer's available balance for it",
  ),
  unrecoveredMinor: balanceMinor.describe(
    'Beyond the reserve and not recovered: the bank bears it',
  ),
});

/** A fraud proof in a list. */
export const consoleFraudProof = z.object({
  id: rowId,
  serial,
  kind: z.enum(FRAUD_KINDS),
  detectedAt: instant,
  payer: owner,
  recovery,
  revokedAt: instant.nullable().describe('When the certificate was revoked'),
});

/** One payment of a proof, decoded. */
export const decodedPayment = z.object({
  paymentId: hex(32),
  payerSerial: serial,
  counter: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  prev: hex(32).describe('paymentId of the previous payment in the payer chain'),
  payeeKid: hex(8),
  payeeSerial: serial.nullable().describe('The payee certificate with that kid, when known'),
  payeeName: z.string().max(64).nullable(),
  amountMinor,
  spentMinor: amountMinor.describe('What the payer had spent in all, this payment included'),
  currency,
  createdAt: instant.describe("The payer device's clock (informative only)"),
  status: z
    .enum(['settled', 'rejected', 'unknown'])
    .describe('What became of it at the bank: unknown when never settled here'),
  settledAt: instant.nullable(),
});

/** GET /v1/operator/fraud-proofs */
export const operatorFraudProofs = {
  method: 'GET',
  path: '/v1/operator/fraud-proofs',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'Stored fraud proofs, newest first, with what was recovered; page with ?before',
  query: z.object({
    before: rowId.optional().describe('Proofs with a smaller id'),
    limit: z.coerce.number().int().min(1).max(OPERATOR_FRAUD_PROOFS_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    proofs: z.array(consoleFraudProof).max(OPERATOR_FRAUD_PROOFS_PAGE_MAX),
    nextBefore: rowId.nullable(),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** GET /v1/operator/fraud-proofs/:id */
export const operatorFraudProof = {
  method: 'GET',
  path: '/v1/operator/fraud-proofs/:id',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'One fraud proof: its two payments decoded side by side, and what was recovered',
  params: z.object({ id: rowId }),
  status: 200,
  response: consoleFraudProof.extend({
    first: decodedPayment,
    second: decodedPayment,
    path: z.string().max(40).describe('The public proof: /v1/fraud-proofs/{id}'),
  }),
  errors: [400, 401, 403, 404],
} as const satisfies RouteSpec;

/** A certificate as the console shows it. */
export const consoleCertificate = z.object({
  serial,
  kind: z.enum(['payer', 'payee']),
  status: z.enum(CERTIFICATE_STATUSES),
  revocation: z
    .object({ reason: z.enum(REVOCATION_REASONS), at: instant })
    .nullable()
    .describe('The revocation on record (a closed certificate has reason closed)'),
  owner,
  displayName: z.string().max(64).nullable().describe("A payee's certified name"),
  currency,
  limitMinor: amountMinor.nullable().describe("A payer's reserve"),
  settledMinor: balanceMinor.nullable().describe('Settled against a payer certificate'),
  issuedAt: instant,
  expiresAt: instant,
  closedAt: instant.nullable(),
});

/** GET /v1/operator/certificates */
export const operatorCertificates = {
  method: 'GET',
  path: '/v1/operator/certificates',
  auth: true,
  operator: { roles: OPERATOR_ROLES, kind: 'read' },
  tag: 'console',
  summary: 'Payer and payee certificates, newest serial first; page with ?before',
  description:
    "?query is a serial (exact) or part of the owner's email or a payee's name " +
    '(case-insensitive).',
  query: z.object({
    kind: z.enum(['payer', 'payee']).optional(),
    status: z.enum(CERTIFICATE_STATUSES).optional(),
    query: searchText.optional(),
    before: serial.optional().describe('Certificates with a smaller serial'),
    limit: z.coerce.number().int().min(1).max(OPERATOR_CERTIFICATES_PAGE_MAX).default(50),
  }),
  status: 200,
  response: z.object({
    certificates: z.array(consoleCertificate).max(OPERATOR_CERTIFICATES_PAGE_MAX),
    nextBefore: serial.nullable(),
  }),
  errors: [400, 401, 403],
} as const satisfies RouteSpec;

/** POST /v1/operator/certificates/:serial/revoke */
export const revokeCertificate = {
  method: 'POST',
  path: '/v1/operator/certificates/:serial/revoke',
  auth: true,
  operator: { roles: ['operator'], kind: 'change' },
  tag: 'console',
  summary:
    'Revoke a certificate (compromised, or closed for its owner) through the revocation path',
  description:
    'Idempotent per serial: a certificate revoked before keeps its first reason (revokedNow: ' +
    'false), except that compromised still turns a closed certificate to revoked. A payer ' +
    'revocation publishes the next signed list (GET /v1/revocations) in the same transaction. ' +
    'What settles afterwards follows the settlement rules of docs/protocol.md §11. `reason` is ' +
    'why (kept in the audit log), as on every changing operator route.',
  params: z.object({ serial }),
  body: z.object({
    revocationReason: z.enum(OPERATOR_REVOCATION_REASONS),
    reason,
  }),
  status: 200,
  response: z.object({
    serial,
    kind: z.enum(['payer', 'payee']),
    status: z.enum(CERTIFICATE_STATUSES),
    reason: z.enum(REVOCATION_REASONS).describe('The reason on record'),
    closedAt: instant,
    revokedNow: z.boolean(),
    publishedSeq: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .nullable()
      .describe('The revocation list this call published'),
  }),
  errors: [400, 401, 403, 404],
} as const satisfies RouteSpec;

/**
 * Fraud proofs (docs/protocol.md §8): reported by anyone, and every stored proof public, so a
 * till, the payer or an auditor can check it from the two signed payments and the bank key.
 */
import { LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import { base64UrlUpTo, hex, instant, rowId, serial } from '../fields.js';
import type { RouteSpec } from '../route.js';

/** Kinds of fraud a proof shows. */
export const FRAUD_KINDS = ['equivocation', 'fork', 'understated'] as const;

/** POST /v1/fraud-proofs */
export const reportFraudProof = {
  method: 'POST',
  path: '/v1/fraud-proofs',
  auth: false,
  tag: 'settlement',
  summary: 'Report a fraud proof: checked, stored once, and the payer certificate revoked',
  body: z.object({
    proof: base64UrlUpTo(LIMITS.fraudProofBytes, 'proof').describe(
      'The fraud proof [1, payment, payment], base64url (docs/protocol.md §8)',
    ),
  }),
  status: 200,
  response: z.object({
    serial,
    kind: z.enum(FRAUD_KINDS),
    first: hex(32).describe('paymentId of the first payment of the proof'),
    second: hex(32).describe('paymentId of the second payment of the proof'),
    revoked: z.literal(true),
  }),
  errors: [400, 404],
} as const satisfies RouteSpec;

/** Most proofs GET /v1/fraud-proofs lists for one payer serial (oldest first). */
export const FRAUD_PROOFS_MAX = 100;

/** The path of a stored proof, as a rejected settlement entry names it. */
export const fraudProofPath = (id: string): string => `/v1/fraud-proofs/${id}`;

/** A stored fraud proof, with what a verifier needs besides the bank keys it trusts. */
export const storedFraudProof = z.object({
  id: rowId,
  path: z.string().max(40).describe('Where this proof is fetched: /v1/fraud-proofs/{id}'),
  serial,
  kind: z.enum(FRAUD_KINDS),
  first: hex(32).describe('paymentId of the first payment of the proof'),
  second: hex(32).describe('paymentId of the second payment of the proof'),
  proof: base64UrlUpTo(LIMITS.fraudProofBytes, 'proof').describe(
    'The proof [1, payment, payment] as stored, base64url: both signed payments with their certificate (docs/protocol.md §8)',
  ),
  issuerKid: hex(8).describe(
    'kid of the bank signing key that issued the payer certificate (a key of GET /v1/keys): verify the proof with it, e.g. verifyFraudProof of @offpay/protocol',
  ),
  issuerPublicKey: hex(33).describe(
    'That key, compressed P-256, hex: compare it with the key you pinned',
  ),
  storedAt: instant.describe('When the bank stored the proof'),
});

/** GET /v1/fraud-proofs */
export const fraudProofs = {
  method: 'GET',
  path: '/v1/fraud-proofs',
  auth: false,
  tag: 'settlement',
  summary: 'The stored fraud proofs against a payer certificate (public; rate-limited)',
  description:
    `No login: a fraud proof is public evidence. Lists the proofs the bank stored against ` +
    `?payerSerial, oldest first, at most ${FRAUD_PROOFS_MAX}; an empty list when there are none.`,
  query: z.object({ payerSerial: serial }),
  status: 200,
  response: z.object({ proofs: z.array(storedFraudProof).max(FRAUD_PROOFS_MAX) }),
  errors: [400, 429],
} as const satisfies RouteSpec;

/** GET /v1/fraud-proofs/:id */
export const fraudProof = {
  method: 'GET',
  path: '/v1/fraud-proofs/:id',
  auth: false,
  tag: 'settlement',
  summary: 'One stored fraud proof by id (public; rate-limited), as a rejected entry names it',
  params: z.object({ id: rowId }),
  status: 200,
  response: storedFraudProof,
  errors: [400, 404, 429],
} as const satisfies RouteSpec;

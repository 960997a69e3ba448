/** Fraud proofs reported by anyone (docs/protocol.md §8). */
import { LIMITS } from '@offpay/protocol';
import { z } from 'zod';
import { base64UrlUpTo, hex, serial } from '../fields.js';
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

/** POST /v1/fraud-proofs — anyone may hand the bank a fraud proof; no login. */
import { fromBase64Url } from '@offpay/crypto';
import { LIMITS } from '@offpay/protocol';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankFail } from '../../errors.js';
import { errorSchema } from '../../http/schemas.js';

const body = z.object({
  proof: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .max(Math.ceil((LIMITS.fraudProofBytes * 4) / 3))
    .describe('The fraud proof [1, payment, payment], base64url (docs/protocol.md §8)'),
});

/** Fraud-proof routes. */
export const fraudRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.post(
    '/v1/fraud-proofs',
    {
      schema: {
        tags: ['settlement'],
        summary: 'Report a fraud proof: checked, stored once, and the payer certificate revoked',
        body,
        response: {
          200: z.object({
            serial: z.string(),
            kind: z.enum(['equivocation', 'fork', 'understated']),
            first: z.string(),
            second: z.string(),
            revoked: z.literal(true),
          }),
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      let bytes: Uint8Array;
      try {
        bytes = fromBase64Url(request.body.proof);
      } catch {
        return bankFail('BANK_BAD_REQUEST', 'The proof is not canonical base64url', {
          issues: [{ path: 'body.proof', message: 'not canonical base64url' }],
        });
      }
      const report = await app.services.fraud.report(bytes);
      return { ...report, serial: String(report.serial), revoked: true as const };
    },
  );
  done();
};

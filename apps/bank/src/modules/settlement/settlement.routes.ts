/**
 * POST /v1/settlements — settle a sealed batch; GET /v1/settlements/:batchKey — its stored result.
 * No login: the payee's signature inside the batch is the authority (DESIGN.md §5), so anyone may
 * carry a sealed batch to the bank.
 */
import { fromBase64Url, fromHex, toBase64Url, toHex } from '@offpay/crypto';
import { LIMITS, type SettlementResult } from '@offpay/protocol';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bankFail } from '../../errors.js';
import { errorSchema } from '../../http/schemas.js';

/** Raw sealed bytes: the batch bound plus the wire framing. */
export const SEALED_BATCH_MAX_BYTES = LIMITS.sealedBatchBytes + 128;
/** The route's body limit: the sealed bound as base64url inside JSON, plus room for the framing. */
export const SETTLEMENT_BODY_LIMIT = Math.ceil((SEALED_BATCH_MAX_BYTES * 4) / 3) + 1024;

const base64url = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .max(SETTLEMENT_BODY_LIMIT);
const jsonBody = z.union([
  z.object({ sealed: base64url }).describe('The sealed batch wire bytes, base64url'),
  z
    .object({ offpay: z.literal(1), type: z.literal('settlement-batch'), data: base64url })
    .passthrough()
    .describe('An offpay file (docs/protocol.md §13.1) holding the sealed batch'),
]);

const resultSchema = z.object({
  batchKey: z.string().describe('hex SHA-256 of the signed batch: the idempotency key'),
  payeeKid: z.string(),
  fromIndex: z.number().int(),
  head: z.string().describe("hex: the payee's settled head after this batch"),
  settledAt: z.number().int().describe('bank clock, Unix seconds'),
  replayed: z
    .boolean()
    .describe('true when this batch was settled before and this is the stored result'),
  results: z.array(
    z.object({
      index: z.number().int(),
      paymentId: z.string(),
      status: z.enum(['settled', 'duplicate', 'rejected']),
      code: z.string(),
    }),
  ),
  signed: z.string().describe('the bank-signed SettlementResult, base64url (docs/protocol.md §10)'),
});

function view(
  result: SettlementResult,
  signed: Uint8Array,
  replayed: boolean,
): z.infer<typeof resultSchema> {
  return {
    batchKey: toHex(result.batchKey),
    payeeKid: toHex(result.payeeKid),
    fromIndex: result.fromIndex,
    head: toHex(result.head),
    settledAt: result.settledAt,
    replayed,
    results: result.results.map((r) => ({
      index: r.index,
      paymentId: toHex(r.paymentId),
      status: r.status,
      code: r.code,
    })),
    signed: toBase64Url(signed),
  };
}

function sealedBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  const parsed = jsonBody.safeParse(body);
  if (!parsed.success) {
    bankFail(
      'BANK_BAD_REQUEST',
      'Send the sealed batch as {"sealed": base64url}, an offpay file, or raw bytes',
      {
        issues: parsed.error.issues.map((i) => ({
          path: `body.${i.path.join('.')}`,
          message: i.message,
        })),
      },
    );
  }
  try {
    const d = parsed.data;
    return fromBase64Url('offpay' in d ? (d as { data: string }).data : d.sealed);
  } catch {
    return bankFail('BANK_BAD_REQUEST', 'The sealed batch is not valid base64url', {
      issues: [{ path: 'body', message: 'not canonical base64url' }],
    });
  }
}

/** Settlement routes. */
export const settlementRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  // The sealed batch may also be sent as raw bytes (curl --data-binary @batch.cbor).
  app.addContentTypeParser(
    ['application/cbor', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: SETTLEMENT_BODY_LIMIT },
    (_request, payload, next) => next(null, new Uint8Array(payload as Buffer)),
  );

  app.post(
    '/v1/settlements',
    {
      bodyLimit: SETTLEMENT_BODY_LIMIT,
      schema: {
        tags: ['settlement'],
        summary: 'Settle a sealed batch (application/cbor, application/octet-stream or JSON)',
        description: `At most ${LIMITS.batchEntries} entries and ${SEALED_BATCH_MAX_BYTES} sealed bytes per batch; settle large ledgers in several batches.`,
        headers: z.object({ 'idempotency-key': z.string().max(200).optional() }).passthrough(),
        response: {
          200: resultSchema,
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          413: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (request) => {
      const outcome = await app.services.settlement.settle(
        sealedBytes(request.body),
        request.headers['idempotency-key'],
      );
      return view(outcome.result, outcome.signed, outcome.replayed);
    },
  );

  app.get(
    '/v1/settlements/:batchKey',
    {
      schema: {
        tags: ['settlement'],
        summary: 'The stored, bank-signed result of a settled batch',
        params: z.object({ batchKey: z.string().regex(/^[0-9a-f]{64}$/) }),
        response: { 200: resultSchema, 400: errorSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const stored = await app.services.settlement.result(fromHex(request.params.batchKey));
      return view(stored.result, stored.signed, true);
    },
  );
  done();
};

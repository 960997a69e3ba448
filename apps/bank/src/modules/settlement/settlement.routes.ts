/**
 * POST /v1/settlements — settle a sealed batch; GET /v1/settlements/:batchKey — its stored result.
 * No login: the payee's signature inside the batch is the authority, so anyone may carry a sealed
 * batch to the bank.
 */
import {
  fraudProofPath,
  routes,
  sealedBatchJson,
  SETTLEMENT_BODY_LIMIT,
  SETTLEMENT_MEDIA_TYPES,
} from '@offpay/api';
import { fromBase64Url, fromHex } from '@offpay/crypto';
import { decodeFileValue } from '@offpay/protocol';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { bankFail } from '../../errors.js';
import { routeOptions } from '../../http/route-schema.js';
import { answerView } from './settlement.view.js';

/**
 * The sealed bytes of a raw body, `{"sealed": …}` or an offpay file (docs/protocol.md §9.6): a
 * JSON body with an `offpay` member is read as a file, by exactly the rules of §13.1.
 * @throws BANK_BAD_REQUEST, PROTO_FILE_INVALID, PROTO_FILE_WRONG_TYPE
 */
function sealedBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'object' && body !== null && Object.hasOwn(body, 'offpay')) {
    return decodeFileValue(body, 'settlement-batch').data;
  }
  const parsed = sealedBatchJson.safeParse(body);
  if (!parsed.success) {
    bankFail(
      'BANK_BAD_REQUEST',
      'Send the sealed batch as raw bytes (application/cbor), {"sealed": base64url} or an offpay file',
      {
        issues: parsed.error.issues.map((i) => ({
          path: `body.${i.path.join('.')}`.slice(0, 200),
          message: i.message.slice(0, 500),
        })),
      },
    );
  }
  try {
    return fromBase64Url(parsed.data.sealed);
  } catch {
    return bankFail('BANK_BAD_REQUEST', 'The sealed batch is not valid base64url', {
      issues: [{ path: 'body', message: 'not canonical base64url' }],
    });
  }
}

type AnswerView = ReturnType<typeof answerView>;

/**
 * Names, on each entry rejected with a fraud code, the stored proof it rests on (public at
 * GET /v1/fraud-proofs/{id}). The signed result carries codes only; this is the JSON beside it.
 */
async function withProofs(app: FastifyInstance, view: AnswerView): Promise<AnswerView> {
  const isFraud = (r: AnswerView['results'][number]) =>
    r.status === 'rejected' && r.code.startsWith('PROTO_FRAUD_');
  const ids = view.results.filter(isFraud).map((r) => fromHex(r.paymentId));
  if (ids.length === 0) return view;
  const held = await app.services.fraud.holding(ids);
  return {
    ...view,
    results: view.results.map((r) => {
      const id = isFraud(r) ? held.get(r.paymentId) : undefined;
      return id ? { ...r, details: { fraudProofId: id, fraudProofPath: fraudProofPath(id) } } : r;
    }),
  };
}

/** Settlement routes. */
export const settlementRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  // The sealed batch may also be sent as raw bytes (curl --data-binary @batch.cbor).
  app.addContentTypeParser(
    ['application/cbor', 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: SETTLEMENT_BODY_LIMIT },
    (_request, payload, next) => next(null, new Uint8Array(payload as Buffer)),
  );

  app.route({
    ...routeOptions(app, routes.settle, { validateBody: false, builtAnswer: true }),
    bodyLimit: SETTLEMENT_BODY_LIMIT,
    // What a 415 names (docs/protocol.md §9.6), CBOR first.
    config: { accepts: SETTLEMENT_MEDIA_TYPES },
    handler: async (request) => {
      const outcome = await app.services.settlement.settle(
        sealedBytes(request.body),
        request.headers['idempotency-key'],
      );
      return withProofs(app, answerView(outcome.result, outcome.signed, outcome.replayed));
    },
  });

  app.route({
    ...routeOptions(app, routes.settlementResult, { builtAnswer: true }),
    handler: async (request) => {
      const stored = await app.services.settlement.result(fromHex(request.params.batchKey));
      return withProofs(app, answerView(stored.result, stored.signed, true));
    },
  });
  done();
};

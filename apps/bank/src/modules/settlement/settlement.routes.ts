/**
 * POST /v1/settlements — settle a sealed batch; GET /v1/settlements/:batchKey — its stored result.
 * No login: the payee's signature inside the batch is the authority, so anyone may carry a sealed
 * batch to the bank.
 */
import { routes, SETTLEMENT_BODY_LIMIT, type settlementAnswer } from '@offpay/api';
import { fromBase64Url, fromHex, toBase64Url, toHex } from '@offpay/crypto';
import type { SettlementResult } from '@offpay/protocol';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { bankFail } from '../../errors.js';
import { routeOptions } from '../../http/route-schema.js';

function view(
  result: SettlementResult,
  signed: Uint8Array,
  replayed: boolean,
): z.infer<typeof settlementAnswer> {
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
      code: entryCode(r.code),
    })),
    signed: toBase64Url(signed),
  };
}

/** The result's code as the contract types it (the bank signed only codes of that union). */
function entryCode(code: string): z.infer<typeof settlementAnswer>['results'][number]['code'] {
  return code as z.infer<typeof settlementAnswer>['results'][number]['code'];
}

/** The sealed bytes of a raw body, `{"sealed": …}` or an offpay file. @throws BANK_BAD_REQUEST */
function sealedBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  const parsed = routes.settle.body.safeParse(body);
  if (!parsed.success) {
    bankFail(
      'BANK_BAD_REQUEST',
      'Send the sealed batch as {"sealed": base64url}, an offpay file, or raw bytes',
      {
        issues: parsed.error.issues.map((i) => ({
          path: `body.${i.path.join('.')}`.slice(0, 200),
          message: i.message.slice(0, 500),
        })),
      },
    );
  }
  try {
    const d = parsed.data;
    return fromBase64Url('offpay' in d ? d.data : d.sealed);
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

  app.route({
    ...routeOptions(app, routes.settle, { validateBody: false }),
    bodyLimit: SETTLEMENT_BODY_LIMIT,
    handler: async (request) => {
      const outcome = await app.services.settlement.settle(
        sealedBytes(request.body),
        request.headers['idempotency-key'],
      );
      return view(outcome.result, outcome.signed, outcome.replayed);
    },
  });

  app.route({
    ...routeOptions(app, routes.settlementResult),
    handler: async (request) => {
      const stored = await app.services.settlement.result(fromHex(request.params.batchKey));
      return view(stored.result, stored.signed, true);
    },
  });
  done();
};

/** POST /v1/payee/handovers (docs/protocol.md §9.7): no login; the new till's signature decides. */
import { routes } from '@offpay/api';
import { fromBase64Url, toHex } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';

/** Ledger handover routes. */
export const handoverRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.ledgerHandover),
    handler: async (request) => {
      const h = await app.services.handovers.handover(fromBase64Url(request.body.handover));
      return {
        fromSerial: String(h.fromSerial),
        toSerial: String(h.toSerial),
        nextIndex: h.from.nextIndex,
        head: toHex(h.from.head),
      };
    },
  });
  done();
};

/** POST /v1/fraud-proofs — anyone may hand the bank a fraud proof; no login. */
import { routes } from '@offpay/api';
import { fromBase64Url } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';

/** Fraud-proof routes. */
export const fraudRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.reportFraudProof),
    handler: async (request) => {
      // The schema admits canonical base64url only, so this decodes.
      const report = await app.services.fraud.report(fromBase64Url(request.body.proof));
      return { ...report, serial: String(report.serial), revoked: true as const };
    },
  });
  done();
};

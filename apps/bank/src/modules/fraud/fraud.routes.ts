/**
 * POST /v1/fraud-proofs — anyone may hand the bank a fraud proof; GET /v1/fraud-proofs and
 * GET /v1/fraud-proofs/:id — every stored proof is public. No login on any of them.
 */
import { fraudProofPath, routes, type storedFraudProof } from '@offpay/api';
import { fromBase64Url, toBase64Url, toHex } from '@offpay/crypto';
import type { z } from 'zod';
import type { StoredFraudProofRow } from './fraud.repo.js';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';

/** A stored proof as the contract's JSON. */
function proofView(p: StoredFraudProofRow): z.infer<typeof storedFraudProof> {
  return {
    id: p.id,
    path: fraudProofPath(p.id),
    serial: String(p.serial),
    kind: p.kind as z.infer<typeof storedFraudProof>['kind'],
    first: toHex(p.paymentA),
    second: toHex(p.paymentB),
    proof: toBase64Url(p.proof),
    issuerKid: toHex(p.issuerKid),
    issuerPublicKey: toHex(p.issuerPublicKey),
    storedAt: p.storedAt.toISOString(),
  };
}

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
  app.route({
    ...routeOptions(app, routes.fraudProofs),
    handler: async (request) => {
      const proofs = await app.services.fraud.list(Number(request.query.payerSerial));
      return { proofs: proofs.map(proofView) };
    },
  });

  app.route({
    ...routeOptions(app, routes.fraudProof),
    handler: async (request) => proofView(await app.services.fraud.get(request.params.id)),
  });
  done();
};

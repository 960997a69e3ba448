/**
 * Enrollment (POST /v1/enrollment/challenge, /payer, /payee), closing a certificate
 * (POST /v1/certificates/:serial/close) and the revocation list (GET /v1/revocations).
 * The read-backs for payers and merchants live in certificates.reports.routes.ts.
 */
import { routes } from '@offpay/api';
import { fromBase64Url, toBase64Url } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';
import { reportRoutes } from './certificates.reports.routes.js';

// A receiver should see a revocation soon after it is published; the list is small to fetch.
const REVOCATIONS_CACHE_CONTROL = 'public, max-age=30';

/** Certificate lifecycle routes. */
export const certificateRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.enrollmentChallenge),
    handler: async (request, reply) => {
      const c = await app.services.certificates.createChallenge(requireUser(request).id);
      return reply.status(201).send({
        challengeId: c.challengeId,
        challenge: toBase64Url(c.challenge),
        expiresAt: c.expiresAt.toISOString(),
      });
    },
  });

  app.route({
    ...routeOptions(app, routes.enrollPayer),
    handler: async (request, reply) => {
      const { challengeId, signKey, signature, limitMinor, currency } = request.body;
      const issued = await app.services.certificates.enrollPayer(requireUser(request).id, {
        challengeId,
        signKey: fromBase64Url(signKey),
        signature: fromBase64Url(signature),
        limit: BigInt(limitMinor),
        ...(currency ? { currency } : {}),
      });
      return reply.status(201).send({
        serial: String(issued.serial),
        certificate: toBase64Url(issued.certificate),
        expiresAt: issued.expiresAt.toISOString(),
        limitMinor: issued.limit.toString(),
        currency: issued.currency,
      });
    },
  });

  app.route({
    ...routeOptions(app, routes.enrollPayee),
    handler: async (request, reply) => {
      const { challengeId, signKey, kemKey, signature } = request.body;
      const issued = await app.services.certificates.enrollPayee(requireUser(request).id, {
        challengeId,
        signKey: fromBase64Url(signKey),
        kemKey: fromBase64Url(kemKey),
        signature: fromBase64Url(signature),
      });
      return reply.status(201).send({
        serial: String(issued.serial),
        certificate: toBase64Url(issued.certificate),
        expiresAt: issued.expiresAt.toISOString(),
        currency: issued.currency,
        displayName: issued.displayName,
      });
    },
  });

  app.route({
    ...routeOptions(app, routes.closeCertificate),
    handler: async (request) => {
      const serial = Number(request.params.serial);
      const c = await app.services.certificates.close(requireUser(request).id, serial);
      return {
        serial: String(c.serial),
        kind: c.kind,
        status: c.status,
        reason: c.reason,
        closedAt: c.closedAt.toISOString(),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.revocations),
    handler: async (_request, reply) => {
      const list = await app.services.certificates.revocationList();
      void reply.header('cache-control', REVOCATIONS_CACHE_CONTROL);
      return {
        seq: list.seq,
        issuedAt: list.issuedAt.toISOString(),
        serials: list.serials.map(String),
        signed: toBase64Url(list.signed),
        // Not part of the signed list: a lower bound of the bank's clock (cached ≤ 30 s), which
        // apps keep to refuse a device clock set back (docs/protocol.md §11).
        bankTime: app.now().toISOString(),
      };
    },
  });
  reportRoutes(app);
  done();
};

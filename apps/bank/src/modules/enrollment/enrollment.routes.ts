/** Enrollment: POST /v1/enrollment/challenge, /v1/enrollment/payer, /v1/enrollment/payee. */
import { routes } from '@offpay/api';
import { fromBase64Url, toBase64Url } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';

/** Enrollment routes (all need a login). */
export const enrollmentRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.enrollmentChallenge),
    handler: async (request, reply) => {
      const c = await app.services.enrollment.createChallenge(requireUser(request).id);
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
      const issued = await app.services.enrollment.enrollPayer(requireUser(request), {
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
      const issued = await app.services.enrollment.enrollPayee(requireUser(request).id, {
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

  done();
};

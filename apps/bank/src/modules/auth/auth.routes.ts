/** POST /v1/auth/register, /v1/auth/login, /v1/auth/logout. */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';
import { normalizeEmail } from './auth.domain.js';

/** Authentication routes. */
export const authRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.register),
    handler: async (request, reply) => {
      const { email, password, displayName, currency } = request.body;
      const ids = await app.services.auth.register({ email, password, displayName, currency });
      return reply
        .status(201)
        .send({ ...ids, email: normalizeEmail(email), displayName, currency });
    },
  });

  app.route({
    ...routeOptions(app, routes.login),
    handler: async (request) => {
      const token = await app.services.auth.login(request.body);
      return {
        accessToken: token.accessToken,
        tokenType: 'Bearer' as const,
        expiresIn: token.expiresIn,
        expiresAt: token.expiresAt.toISOString(),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.logout),
    handler: async (request, reply) => {
      await app.services.auth.logout(requireUser(request).id);
      return reply.status(204).send(null);
    },
  });
  done();
};

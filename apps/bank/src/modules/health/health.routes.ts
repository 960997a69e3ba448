/** GET /healthz (the process answers) and GET /readyz (it can serve: 503 only without a database). */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';

/** Health routes. */
export const healthRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({ ...routeOptions(app, routes.health), handler: () => ({ status: 'ok' as const }) });
  app.route({
    ...routeOptions(app, routes.readiness),
    handler: async (_request, reply) => {
      const readiness = await app.services.health.readiness();
      return reply.status(readiness.status === 'unavailable' ? 503 : 200).send(readiness);
    },
  });
  done();
};

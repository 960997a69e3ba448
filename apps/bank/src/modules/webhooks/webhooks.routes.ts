/**
 * Merchant webhooks over HTTP: register, list and disable endpoints and read their delivery log
 * (a verified merchant's own), and the operators' delivery log of every endpoint.
 */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator, requireUser } from '../../plugins/auth.js';
import type { DeliveryRow, EndpointRow } from './webhooks.service.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function endpointView(e: EndpointRow) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    createdAt: e.createdAt.toISOString(),
    disabledAt: iso(e.disabledAt),
  };
}

function deliveryView(d: DeliveryRow) {
  return {
    cursor: d.seq.toString(),
    eventId: d.eventId,
    endpointId: d.endpointId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    createdAt: d.createdAt.toISOString(),
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
  };
}

/** The webhook routes. */
export const webhookRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const webhooks = () => app.services.webhooks;

  app.route({
    ...routeOptions(app, routes.createWebhook),
    handler: async (request, reply) => {
      const { endpoint, secret } = await webhooks().create(requireUser(request).id, request.body);
      return reply.status(201).send({ endpoint: endpointView(endpoint), secret });
    },
  });

  app.route({
    ...routeOptions(app, routes.listWebhooks),
    handler: async (request) => ({
      endpoints: (await webhooks().list(requireUser(request).id)).map(endpointView),
    }),
  });

  app.route({
    ...routeOptions(app, routes.disableWebhook),
    handler: async (request) =>
      endpointView(await webhooks().disable(requireUser(request).id, request.params.id)),
  });

  app.route({
    ...routeOptions(app, routes.webhookDeliveries),
    handler: async (request) => {
      const { limit, before } = request.query;
      const list = await webhooks().deliveries(requireUser(request).id, request.params.id, {
        limit,
        ...(before !== undefined ? { before: BigInt(before) } : {}),
      });
      return { deliveries: list.map(deliveryView) };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorWebhookDeliveries),
    handler: async (request) => {
      const { status, endpointId, limit, before } = request.query;
      const list = await webhooks().operatorDeliveries(requireOperator(request), {
        limit,
        ...(status !== undefined ? { status } : {}),
        ...(endpointId !== undefined ? { endpointId } : {}),
        ...(before !== undefined ? { before: BigInt(before) } : {}),
      });
      return {
        deliveries: list.map((d) => ({ ...deliveryView(d), userId: d.userId, url: d.url })),
      };
    },
  });
  done();
};

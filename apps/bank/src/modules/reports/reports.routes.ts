/**
 * What settled, read back: GET /v1/payer/sync (a payer wallet learns what settled and what remains
 * of each reserve) and GET /v1/merchant/settlements.csv (a merchant's settled history).
 */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The read-back routes (both need a login). */
export const reportRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.payerSync),
    handler: async (request) => {
      const items = await app.services.reports.payerSync(requireUser(request).id);
      return {
        bankTime: app.now().toISOString(),
        certificates: items.map((c) => ({
          serial: String(c.serial),
          status: c.status,
          currency: c.currency,
          limitMinor: c.limit.toString(),
          settledMinor: c.settled.toString(),
          reserveRemainingMinor: c.reserveRemaining.toString(),
          expiresAt: c.expiresAt.toISOString(),
          closedAt: iso(c.closedAt),
          reserveReleasedAt: iso(c.reserveReleasedAt),
          payments: c.payments.map((p) => ({
            paymentId: p.paymentId,
            counter: p.counter,
            amountMinor: p.amount.toString(),
            settledAt: p.settledAt.toISOString(),
            refundedMinor: p.refunded.toString(),
          })),
          paymentsTruncated: c.paymentsTruncated,
        })),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.merchantSettlementsCsv),
    handler: async (request, reply) => {
      const { from, to } = request.query;
      const { csv, truncated } = await app.services.reports.merchantSettlementsCsv(
        requireUser(request).id,
        { from: from ? new Date(from) : null, to: to ? new Date(to) : null },
      );
      // A string sent with a text/csv content type goes out as is: no JSON serializer runs.
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="settlements.csv"')
        .header('x-offpay-truncated', String(truncated))
        .send(csv);
    },
  });
  done();
};

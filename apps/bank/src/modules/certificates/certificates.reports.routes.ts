/**
 * What settled, read back: GET /v1/payer/sync (a payer wallet learns what settled and what remains
 * of each reserve) and GET /v1/merchant/settlements.csv (a merchant's settled history).
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authErrors, bearerSecurity, errorSchema } from '../../http/schemas.js';
import { requireUser } from '../../plugins/auth.js';
import { CSV_MAX_ROWS } from './certificates.service.js';
import { csvQuery, syncResponse } from './certificates.schemas.js';

type ZodApp = Parameters<FastifyPluginCallbackZod>[0];

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Registers the read-back routes on `app` (called by the certificate routes plugin). */
export function reportRoutes(app: ZodApp): void {
  app.get(
    '/v1/payer/sync',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['certificates'],
        summary:
          'Your payer certificates (newest 100): what settled (newest 500 payments each) and what remains',
        security: bearerSecurity,
        response: { 200: syncResponse, ...authErrors },
      },
    },
    async (request) => {
      const items = await app.services.certificates.payerSync(requireUser(request).id);
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
          })),
          paymentsTruncated: c.paymentsTruncated,
        })),
      };
    },
  );

  app.get(
    '/v1/merchant/settlements.csv',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['certificates'],
        summary: `Payments settled to your payee certificates as text/csv, oldest first (at most ${CSV_MAX_ROWS} rows; x-offpay-truncated: true when more exist)`,
        security: bearerSecurity,
        querystring: csvQuery,
        response: {
          // A string sent with a text/csv content type goes out as is: no JSON serializer runs.
          200: {
            description:
              'RFC 4180 CSV with a header row; formula-like cells start with an apostrophe',
            content: { 'text/csv': { schema: z.string() } },
          },
          400: errorSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { from, to } = request.query;
      const { csv, truncated } = await app.services.certificates.merchantSettlementsCsv(
        requireUser(request).id,
        { from: from ? new Date(from) : null, to: to ? new Date(to) : null },
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="settlements.csv"')
        .header('x-offpay-truncated', String(truncated))
        .send(csv);
    },
  );
}

/** Refunds over HTTP: POST and GET /v1/payments/:paymentId/refunds (docs/operations.md "Refunds"). */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';
import type { RefundablePayment, RefundRow } from './refunds.service.js';

function refundView(r: RefundRow) {
  return {
    refundId: r.id,
    paymentId: r.paymentId,
    amountMinor: r.amount.toString(),
    currency: r.currency,
    reason: r.reason,
    transferId: r.transferId.toString(),
    createdAt: r.createdAt.toISOString(),
  };
}

function paymentView(p: RefundablePayment) {
  return {
    paymentId: p.paymentId,
    currency: p.currency,
    settledMinor: p.settled.toString(),
    refundedMinor: p.refunded.toString(),
    refundableMinor: p.refundable.toString(),
    refunds: p.refunds.map(refundView),
  };
}

/** The merchant's refund and either party's read of a payment's refunds. */
export const refundRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.refundPayment),
    handler: async (request, reply) => {
      const { refund, payment, replayed } = await app.services.refunds.refund(
        requireUser(request).id,
        {
          paymentId: request.params.paymentId.toLowerCase(),
          amount: BigInt(request.body.amountMinor),
          reason: request.body.reason,
          key: request.headers['idempotency-key'],
        },
      );
      return reply
        .status(201)
        .send({ refund: refundView(refund), payment: paymentView(payment), replayed });
    },
  });

  app.route({
    ...routeOptions(app, routes.paymentRefunds),
    handler: async (request) =>
      paymentView(
        await app.services.refunds.payment(
          requireUser(request).id,
          request.params.paymentId.toLowerCase(),
        ),
      ),
  });
  done();
};

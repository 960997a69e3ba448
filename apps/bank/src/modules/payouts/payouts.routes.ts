/**
 * Payouts over HTTP: the customer's payout accounts and requests, and the operators' queue,
 * steps, batch export and pain.001 file.
 */
import { routePath, routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator, requireUser } from '../../plugins/auth.js';
import type { PayoutAccountRow, PayoutRow, SingleStep } from './payouts.service.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function accountView(a: PayoutAccountRow) {
  return { id: a.id, iban: a.iban, holderName: a.holderName, createdAt: a.createdAt.toISOString() };
}

/** A payout as its requester sees it. */
function payoutView(p: PayoutRow) {
  return {
    id: p.id,
    state: p.state,
    currency: p.currency,
    amountMinor: p.amount.toString(),
    payoutAccountId: p.payoutAccountId,
    iban: p.iban,
    requestedAt: p.requestedAt.toISOString(),
    decidedAt: iso(p.decidedAt),
    reason: p.decisionReason,
    batchId: p.batchId,
    settledAt: iso(p.settledAt),
  };
}

/** A payout as an operator sees it. */
function operatorView(p: PayoutRow) {
  return {
    ...payoutView(p),
    userId: p.userId,
    email: p.email,
    holderName: p.holderName,
    settledReason: p.settledReason,
  };
}

const STEP_ROUTES = [
  [routes.approvePayout, 'approve'],
  [routes.refusePayout, 'refuse'],
  [routes.confirmPayout, 'confirm'],
  [routes.failPayout, 'fail'],
] as const satisfies readonly (readonly [unknown, SingleStep])[];

/** The payout routes. */
export const payoutRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const payouts = () => app.services.payouts;

  app.route({
    ...routeOptions(app, routes.registerPayoutAccount),
    handler: async (request, reply) => {
      const created = await payouts().registerAccount(requireUser(request).id, request.body);
      return reply.status(201).send(accountView(created));
    },
  });

  app.route({
    ...routeOptions(app, routes.payoutAccounts),
    handler: async (request) => ({
      accounts: (await payouts().accountsOf(requireUser(request).id)).map(accountView),
    }),
  });

  app.route({
    ...routeOptions(app, routes.requestPayout),
    handler: async (request, reply) => {
      const { payoutAccountId, amountMinor, currency } = request.body;
      const p = await payouts().request(
        requireUser(request).id,
        request.headers['idempotency-key'],
        { payoutAccountId, amount: BigInt(amountMinor), currency },
      );
      return reply.status(201).send(payoutView(p));
    },
  });

  app.route({
    ...routeOptions(app, routes.myPayouts),
    handler: async (request) => ({
      payouts: (await payouts().payoutsOf(requireUser(request).id, request.query.limit)).map(
        payoutView,
      ),
    }),
  });

  app.route({
    ...routeOptions(app, routes.operatorPayouts),
    handler: async (request) => {
      const { state, limit } = request.query;
      const list = await payouts().list(requireOperator(request), state, limit);
      return { payouts: list.map(operatorView) };
    },
  });

  for (const [route, step] of STEP_ROUTES) {
    app.route({
      ...routeOptions(app, route),
      handler: async (request) => {
        const { id } = request.params;
        const actor = requireOperator(request);
        return operatorView(await payouts().step(actor, id, step, request.body.reason));
      },
    });
  }

  app.route({
    ...routeOptions(app, routes.exportPayoutBatch),
    handler: async (request, reply) => {
      const { currency, reason } = request.body;
      const b = await payouts().exportBatch(requireOperator(request), currency, reason);
      return reply.status(201).send({
        id: b.id,
        messageId: b.messageId,
        currency: b.currency,
        payouts: b.payouts,
        totalMinor: b.total.toString(),
        createdAt: b.createdAt.toISOString(),
        path: routePath(routes.payoutBatchFile, { id: b.id }),
      });
    },
  });

  app.route({
    ...routeOptions(app, routes.payoutBatchFile),
    handler: async (request, reply) => {
      const { id } = request.params;
      const xml = await payouts().batchFile(requireOperator(request), id);
      // A string sent with an XML content type goes out as is: no JSON serializer runs.
      return reply
        .type('application/xml; charset=utf-8')
        .header('content-disposition', `attachment; filename="pain.001-${id}.xml"`)
        .send(xml);
    },
  });
  done();
};

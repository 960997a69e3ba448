/**
 * Merchant verification over HTTP: the applicant's two routes, and the operators' queue with
 * approve and refuse (docs/operations.md "Merchants").
 */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator, requireUser } from '../../plugins/auth.js';
import type { ApplicationRow } from './merchants.service.js';

/** An application as its applicant sees it. */
function applicantView(a: ApplicationRow) {
  return {
    id: a.id,
    state: a.state,
    legalName: a.legalName,
    displayName: a.displayName,
    contact: a.contact,
    submittedAt: a.submittedAt.toISOString(),
    decidedAt: a.decidedAt?.toISOString() ?? null,
    reason: a.reason,
  };
}

/** An application as an operator sees it: with the applicant's account. */
function operatorView(a: ApplicationRow) {
  return { ...applicantView(a), userId: a.userId, email: a.email };
}

/** The applicant's routes and the operators' queue. */
export const merchantRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const merchants = () => app.services.merchants;

  app.route({
    ...routeOptions(app, routes.applyAsMerchant),
    handler: async (request, reply) => {
      const created = await merchants().apply(requireUser(request).id, request.body);
      return reply.status(201).send(applicantView(created));
    },
  });

  app.route({
    ...routeOptions(app, routes.merchantStatus),
    handler: async (request) => {
      const { application, verified } = await merchants().status(requireUser(request).id);
      return {
        application: application ? applicantView(application) : null,
        verified: verified
          ? { displayName: verified.displayName, verifiedAt: verified.verifiedAt.toISOString() }
          : null,
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.listMerchantApplications),
    handler: async (request) => {
      const { state, limit } = request.query;
      const list = await merchants().list(requireOperator(request), state, limit);
      return { applications: list.map(operatorView) };
    },
  });

  app.route({
    ...routeOptions(app, routes.getMerchantApplication),
    handler: async (request) =>
      operatorView(await merchants().get(requireOperator(request), request.params.id)),
  });

  app.route({
    ...routeOptions(app, routes.approveMerchantApplication),
    handler: async (request) => {
      const { id } = request.params;
      return operatorView(
        await merchants().approve(requireOperator(request), id, request.body.reason),
      );
    },
  });

  app.route({
    ...routeOptions(app, routes.refuseMerchantApplication),
    handler: async (request) => {
      const { id } = request.params;
      return operatorView(
        await merchants().refuse(requireOperator(request), id, request.body.reason),
      );
    },
  });
  done();
};

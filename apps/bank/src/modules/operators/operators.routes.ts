/** Operator sign-in, sign-out, who am I, and the audit log (docs/operations.md "Operators"). */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator } from '../../plugins/auth.js';
import type { AuditValue } from '../audit/audit.domain.js';

/** Lists and objects of an audit entry's data as JSON text: the answer holds flat values. */
function flat(data: Record<string, AuditValue>): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [
      k,
      v !== null && typeof v === 'object' ? JSON.stringify(v) : v,
    ]),
  );
}

/** Operator routes of the operators module. */
export const operatorRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.operatorLogin),
    handler: async (request) => {
      const s = await app.services.operators.login(request.body);
      return {
        accessToken: s.accessToken,
        tokenType: 'Bearer' as const,
        expiresIn: s.expiresIn,
        expiresAt: s.expiresAt.toISOString(),
        operator: { id: s.operator.id, email: s.operator.email, role: s.operator.role },
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorLogout),
    handler: async (request, reply) => {
      await app.services.operators.logout(requireOperator(request));
      return reply.status(204).send(null);
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorMe),
    handler: (request) => {
      const { id, email, role } = requireOperator(request);
      return Promise.resolve({ id, email, role });
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorAudit),
    handler: async (request) => {
      const operator = requireOperator(request);
      const { after, limit } = request.query;
      const { audit, operators } = app.services;
      const entries = await app.db.transaction(async (tx) => {
        await operators.record(tx, operator, {
          action: 'operator.read',
          target: 'audit_log',
          data: { after, limit },
        });
        return audit.list(tx, BigInt(after), limit);
      });
      const chain = await audit.verify(app.db);
      return {
        entries: entries.map((e) => ({
          id: e.id.toString(),
          at: e.at.toISOString(),
          actor: e.actor,
          action: e.action,
          data: flat(e.data),
        })),
        chain: { ok: chain.ok, count: chain.count, brokenAt: chain.brokenAt?.toString() ?? null },
      };
    },
  });
  done();
};

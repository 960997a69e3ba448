/** GET /v1/accounts/me and GET /v1/accounts/me/history. */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';

/** Account routes (all need a login). */
export const accountRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.route({
    ...routeOptions(app, routes.accounts),
    handler: async (request) => {
      const user = requireUser(request);
      const accounts = await app.services.accounts.accountsOf(user.id);
      return {
        userId: user.id,
        accounts: accounts.map((a) => ({
          accountId: a.id,
          kind: a.kind,
          currency: a.currency,
          balanceMinor: a.balance.toString(),
        })),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.accountHistory),
    handler: async (request) => {
      const user = requireUser(request);
      const { limit, before } = request.query;
      const rows = await app.services.accounts.historyOf(user.id, {
        limit,
        before: before ? BigInt(before) : null,
      });
      const last = rows[rows.length - 1];
      return {
        items: rows.map((r) => ({
          postingId: r.postingId.toString(),
          transferId: r.transferId.toString(),
          kind: r.kind,
          reference: r.reference,
          accountId: r.accountId,
          currency: r.currency,
          amountMinor: r.amount.toString(),
          at: r.at.toISOString(),
        })),
        nextBefore: rows.length === limit && last ? last.postingId.toString() : null,
      };
    },
  });
  done();
};

/** GET /v1/accounts/me and GET /v1/accounts/me/history. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  authErrors,
  bearerSecurity,
  currencySchema,
  errorSchema,
  minorSchema,
} from '../../http/schemas.js';
import { requireUser } from '../../plugins/auth.js';

const accountSchema = z.object({
  accountId: z.uuid(),
  kind: z.enum(['customer', 'reserve', 'settlement', 'issuance']),
  currency: currencySchema,
  balanceMinor: minorSchema,
});

const historyItem = z.object({
  postingId: z.string().regex(/^\d+$/),
  transferId: z.string().regex(/^\d+$/),
  kind: z.string(),
  reference: z.string(),
  accountId: z.uuid(),
  currency: currencySchema,
  amountMinor: minorSchema.describe('Positive: money in; negative: money out'),
  at: z.iso.datetime(),
});

const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z
    .string()
    .regex(/^[1-9]\d{0,18}$/)
    .optional()
    .describe('postingId cursor: items older than it'),
});

/** Account routes (all need a login). */
export const accountRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.get(
    '/v1/accounts/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['accounts'],
        summary: "The caller's accounts and balances (minor units as decimal strings)",
        security: bearerSecurity,
        response: {
          200: z.object({ userId: z.uuid(), accounts: z.array(accountSchema) }),
          ...authErrors,
        },
      },
    },
    async (request) => {
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
  );

  app.get(
    '/v1/accounts/me/history',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['accounts'],
        summary: "The caller's postings, newest first; page with ?before=<nextBefore>",
        security: bearerSecurity,
        querystring: historyQuery,
        response: {
          200: z.object({ items: z.array(historyItem), nextBefore: z.string().nullable() }),
          400: errorSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const { limit, before } = request.query;
      const rows = await app.services.accounts.historyOf(user.id, {
        limit,
        before: before ? BigInt(before) : null,
      });
      const items = rows.map((r) => ({
        postingId: r.postingId.toString(),
        transferId: r.transferId.toString(),
        kind: r.kind,
        reference: r.reference,
        accountId: r.accountId,
        currency: r.currency,
        amountMinor: r.amount.toString(),
        at: r.at.toISOString(),
      }));
      const last = rows[rows.length - 1];
      return {
        items,
        nextBefore: rows.length === limit && last ? last.postingId.toString() : null,
      };
    },
  );
  done();
};

/** Deposits over HTTP: one deposit, a statement import, and the list (operator routes). */
import { STATEMENT_BODY_LIMIT, routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { bankFail } from '../../errors.js';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator } from '../../plugins/auth.js';
import { accountRef } from './deposits.domain.js';
import type { DepositRow } from './deposits.service.js';

/** A deposit as the API shows it. */
function view(d: DepositRow) {
  return {
    id: d.id.toString(),
    reference: d.reference,
    accountId: d.accountId,
    currency: d.currency,
    amountMinor: d.amount.toString(),
    valueDate: d.valueDate,
    description: d.description,
    importId: d.importId?.toString() ?? null,
    operatorId: d.operatorId,
    createdAt: d.createdAt.toISOString(),
  };
}

/** The deposit routes. */
export const depositRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const deposits = () => app.services.deposits;

  app.route({
    ...routeOptions(app, routes.createDeposit),
    handler: async (request) => {
      const { reference, account, amountMinor, currency, valueDate, description, reason } =
        request.body;
      const where = accountRef(account);
      if (!where) {
        bankFail('BANK_BAD_REQUEST', 'account is neither an account id nor an email', {
          issues: [{ path: 'body/account', message: 'an account id (UUID) or an email' }],
        });
      }
      const req = {
        reference,
        account: where,
        amount: BigInt(amountMinor),
        currency,
        valueDate: valueDate ?? null,
        description: description ?? null,
      };
      const result = await deposits().deposit(requireOperator(request), req, reason);
      return { outcome: result.outcome, deposit: view(result.deposit) };
    },
  });

  app.route({
    ...routeOptions(app, routes.listDeposits),
    handler: async (request) => {
      const { before, limit } = request.query;
      const page = { before: before ? BigInt(before) : null, limit };
      return { deposits: (await deposits().list(requireOperator(request), page)).map(view) };
    },
  });

  app.route({
    ...routeOptions(app, routes.importStatement),
    // A statement is larger than the bank's default body limit (the file travels as a string).
    bodyLimit: STATEMENT_BODY_LIMIT,
    handler: async (request) => {
      const { csv, reason } = request.body;
      const r = await deposits().importStatement(requireOperator(request), csv, reason);
      return {
        importId: r.importId.toString(),
        counts: r.counts,
        rows: r.rows.map((row) => ({ ...row, depositId: row.depositId?.toString() ?? null })),
      };
    },
  });
  done();
};

/**
 * The operators' console over HTTP (docs/operations.md "The console"): accounts, statements,
 * refunds, fraud proofs, certificates and revocation, reconciliation and the daily summary. Each
 * route: schema → one service call → reply. The live activity stream is console.stream.ts.
 */
import { fraudProofPath, routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireOperator } from '../../plugins/auth.js';
import { likeLiteral } from './console.accounts.repo.js';
import {
  accountView,
  certificateView,
  paymentView,
  postingView,
  proofView,
  refundView,
  summaryView,
} from './console.views.js';

const big = (s: string | undefined) => (s === undefined ? null : BigInt(s));

/** The console's routes. */
export const consoleRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const service = () => app.services.console;
  /** The bank's today (UTC), the summary's default day. */
  const today = () => app.now().toISOString().slice(0, 10);

  app.route({
    ...routeOptions(app, routes.operatorAccounts),
    handler: async (request) => {
      const { query, holder, after, limit } = request.query;
      const filter = { query: query || null, holder: holder ?? null, after: after ?? null, limit };
      const page = await service().accounts(requireOperator(request), filter);
      return { accounts: page.rows.map(accountView), nextAfter: page.next };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorAccount),
    handler: async (request) => {
      const { before, limit } = request.query;
      const r = await service().account(requireOperator(request), request.params.id, {
        before: big(before),
        limit,
      });
      return {
        account: accountView(r.account),
        postings: r.postings.rows.map(postingView),
        nextBefore: r.postings.next?.toString() ?? null,
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorAccountStatement),
    handler: async (request, reply) => {
      const { from, to } = request.query;
      const { csv, truncated } = await service().statement(
        requireOperator(request),
        request.params.id,
        { from: from ? new Date(from) : null, to: to ? new Date(to) : null },
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="statement.csv"')
        .header('x-offpay-truncated', String(truncated))
        .send(csv);
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorRefunds),
    handler: async (request) => {
      const { before, limit } = request.query;
      const page = await service().refunds(requireOperator(request), big(before), limit);
      return { refunds: page.rows.map(refundView), nextBefore: page.next?.toString() ?? null };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorFraudProofs),
    handler: async (request) => {
      const { before, limit } = request.query;
      const page = await service().fraudProofs(requireOperator(request), big(before), limit);
      return { proofs: page.rows.map(proofView), nextBefore: page.next };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorFraudProof),
    handler: async (request) => {
      const d = await service().fraudProof(requireOperator(request), request.params.id);
      return {
        ...proofView(d.proof),
        first: paymentView(d.decoded.first, d.known[0]),
        second: paymentView(d.decoded.second, d.known[1]),
        path: fraudProofPath(d.proof.id),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorCertificates),
    handler: async (request) => {
      const { kind, status, query, before, limit } = request.query;
      const serial = query && /^[1-9][0-9]{0,15}$/.test(query) ? Number(query) : null;
      const page = await service().certificates(requireOperator(request), {
        kind: kind ?? null,
        status: status ?? null,
        serial,
        text: query && serial === null ? likeLiteral(query) : null,
        before: before === undefined ? null : Number(before),
        limit,
      });
      return {
        certificates: page.rows.map(certificateView),
        nextBefore: page.next === null ? null : String(page.next),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.revokeCertificate),
    handler: async (request) => {
      const { revocationReason, reason } = request.body;
      const o = await service().revoke(
        requireOperator(request),
        Number(request.params.serial),
        revocationReason,
        reason,
      );
      return {
        serial: String(o.serial),
        kind: o.kind,
        status: o.status,
        reason: o.reason,
        closedAt: o.closedAt.toISOString(),
        revokedNow: o.revokedNow,
        publishedSeq: o.publishedSeq,
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.runReconcile),
    handler: async (request) => {
      const r = await service().reconcile(requireOperator(request));
      return {
        ok: r.findings.findings.length === 0,
        checkedAt: r.checkedAt.toISOString(),
        checked: {
          certificates: r.checked.certificates ?? 0,
          settlements: r.checked.settlements ?? 0,
          payments: r.checked.payments ?? 0,
          proofs: r.checked.proofs ?? 0,
          deposits: r.checked.deposits ?? 0,
          payouts: r.checked.payouts ?? 0,
        },
        findings: r.findings.findings,
        findingsTruncated: r.findings.truncated,
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.operatorSummary),
    handler: async (request) =>
      summaryView(
        await service().summary(requireOperator(request), request.query.date ?? today(), 'json'),
      ),
  });

  app.route({
    ...routeOptions(app, routes.operatorSummaryCsv),
    handler: async (request, reply) => {
      const date = request.query.date ?? today();
      const summary = await service().summary(requireOperator(request), date, 'csv');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="summary-${date}.csv"`)
        .send(service().summaryCsv(summary));
    },
  });
  done();
};

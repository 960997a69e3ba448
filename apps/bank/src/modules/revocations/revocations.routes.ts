/**
 * The owner's certificates — GET /v1/certificates, POST /v1/certificates/:serial/close and
 * …/report — and GET /v1/revocations[?since=] (docs/protocol.md §11; docs/threat-model.md "Liability").
 */
import { routes } from '@offpay/api';
import { toBase64Url } from '@offpay/crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { routeOptions } from '../../http/route-schema.js';
import { requireUser } from '../../plugins/auth.js';
import { fullListSerialiser } from './revocations.answer.js';
import type { RevocationOutcome } from './revocations.service.js';

// A receiver should see a revocation soon after it is published; the list is small to fetch.
const REVOCATIONS_CACHE_CONTROL = 'public, max-age=30';

/** Revocation routes. */
export const revocationRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  // The full list's answer is written once per list, in this instance (revocations.answer.ts).
  const fullList = fullListSerialiser();

  app.route({
    ...routeOptions(app, routes.closeCertificate),
    handler: async (request) => {
      const serial = Number(request.params.serial);
      return state(await app.services.revocations.close(requireUser(request).id, serial));
    },
  });

  app.route({
    ...routeOptions(app, routes.reportCertificate),
    handler: async (request) => {
      const serial = Number(request.params.serial);
      const { id } = requireUser(request);
      const c = await app.services.revocations.report(id, serial, request.body.reason);
      // A report always leaves reportedAt set (the first report's time). No fresh token: a thief
      // reporting the owner's other device must not come out with a longer session.
      const reportedAt = (c.reportedAt ?? c.closedAt).toISOString();
      return { ...state(c), reportedAt, signedOut: c.signedOut };
    },
  });

  app.route({
    ...routeOptions(app, routes.certificates),
    handler: async (request) => {
      const rows = await app.services.revocations.certificates(requireUser(request).id);
      return {
        certificates: rows.map((c) => ({
          serial: String(c.serial),
          kind: c.kind,
          status: c.status,
          currency: c.currency,
          limitMinor: c.limitMinor === null ? null : c.limitMinor.toString(),
          displayName: c.displayName,
          issuedAt: c.issuedAt.toISOString(),
          expiresAt: c.expiresAt.toISOString(),
          closedAt: c.closedAt?.toISOString() ?? null,
          reason: c.reason,
          reportedAt: c.reportedAt?.toISOString() ?? null,
          handedOverTo: c.handedOverTo === null ? null : String(c.handedOverTo),
        })),
      };
    },
  });

  app.route({
    ...routeOptions(app, routes.revocations),
    handler: async (request, reply) => {
      const { revocations } = app.services;
      const { since } = request.query;
      const delta = since === undefined ? null : await revocations.revocationDelta(Number(since));
      void reply.header('cache-control', REVOCATIONS_CACHE_CONTROL);
      // Not part of anything signed: a lower bound of the bank's clock (cached ≤ 30 s), which
      // apps keep to refuse a device clock set back (docs/protocol.md §11).
      const bankTime = app.now().toISOString();
      if (delta) {
        const d = delta.delta;
        return {
          kind: 'delta' as const,
          fromSeq: d.fromSeq,
          toSeq: d.toSeq,
          issuedAt: new Date(d.issuedAt * 1000).toISOString(),
          added: d.added.map(String),
          removed: d.removed.map(String),
          signed: toBase64Url(delta.signed),
          bankTime,
        };
      }
      // Already the JSON the route's serializer would write: a string with a JSON content type
      // goes out as it is (the typed reply only takes the answer's object, hence the widening).
      const body = fullList(await revocations.revocationList(), bankTime);
      return (reply as FastifyReply).type('application/json').send(body);
    },
  });
  done();
};

/** A certificate's state after a close or a report, as the routes answer it. */
function state(c: RevocationOutcome) {
  return {
    serial: String(c.serial),
    kind: c.kind,
    status: c.status,
    reason: c.reason,
    closedAt: c.closedAt.toISOString(),
  };
}

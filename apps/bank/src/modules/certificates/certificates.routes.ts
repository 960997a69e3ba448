/**
 * Enrollment (POST /v1/enrollment/challenge, /payer, /payee), closing a certificate
 * (POST /v1/certificates/:serial/close) and the revocation list (GET /v1/revocations).
 * The read-backs for payers and merchants live in certificates.reports.routes.ts.
 */
import { toBase64Url } from '@offpay/crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { authErrors, bearerSecurity, errorSchema } from '../../http/schemas.js';
import { requireUser } from '../../plugins/auth.js';
import { reportRoutes } from './certificates.reports.routes.js';
import {
  challengeResponse,
  closeResponse,
  payeeBody,
  payeeResponse,
  payerBody,
  payerResponse,
  revocationListResponse,
  serialParams,
} from './certificates.schemas.js';

const enrollmentErrors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, ...authErrors };

// A receiver should see a revocation soon after it is published; the list is small to fetch.
const REVOCATIONS_CACHE_CONTROL = 'public, max-age=30';

/** Certificate lifecycle routes. */
export const certificateRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  const tags = ['enrollment'];
  app.post(
    '/v1/enrollment/challenge',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'A single-use challenge (5 minutes) for the device to sign (protocol §4.3)',
        security: bearerSecurity,
        response: { 201: challengeResponse, ...authErrors },
      },
    },
    async (request, reply) => {
      const c = await app.services.certificates.createChallenge(requireUser(request).id);
      return reply.status(201).send({
        challengeId: c.challengeId,
        challenge: toBase64Url(c.challenge),
        expiresAt: c.expiresAt.toISOString(),
      });
    },
  );

  app.post(
    '/v1/enrollment/payer',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Certify a payer key; reserves limitMinor from your account until expiry + grace',
        security: bearerSecurity,
        body: payerBody,
        response: { 201: payerResponse, ...enrollmentErrors },
      },
    },
    async (request, reply) => {
      const { currency, limitMinor, ...proof } = request.body;
      const issued = await app.services.certificates.enrollPayer(requireUser(request).id, {
        ...proof,
        limit: limitMinor,
        ...(currency ? { currency } : {}),
      });
      return reply.status(201).send({
        serial: String(issued.serial),
        certificate: toBase64Url(issued.certificate),
        expiresAt: issued.expiresAt.toISOString(),
        limitMinor: issued.limit.toString(),
        currency: issued.currency,
      });
    },
  );

  app.post(
    '/v1/enrollment/payee',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: "Certify a receiver's keys with your account's verified display name",
        security: bearerSecurity,
        body: payeeBody,
        response: { 201: payeeResponse, 422: errorSchema, ...enrollmentErrors },
      },
    },
    async (request, reply) => {
      const issued = await app.services.certificates.enrollPayee(
        requireUser(request).id,
        request.body,
      );
      return reply.status(201).send({
        serial: String(issued.serial),
        certificate: toBase64Url(issued.certificate),
        expiresAt: issued.expiresAt.toISOString(),
        currency: issued.currency,
        displayName: issued.displayName,
      });
    },
  );

  app.post(
    '/v1/certificates/:serial/close',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['certificates'],
        summary:
          'Close your certificate: revoked at once; a payer reserve still returns only at expiry + grace',
        security: bearerSecurity,
        params: serialParams,
        response: { 200: closeResponse, 400: errorSchema, 404: errorSchema, ...authErrors },
      },
    },
    async (request) => {
      const serial = Number(request.params.serial);
      const c = await app.services.certificates.close(requireUser(request).id, serial);
      return {
        serial: String(c.serial),
        kind: c.kind,
        status: c.status,
        reason: c.reason,
        closedAt: c.closedAt.toISOString(),
      };
    },
  );

  app.get(
    '/v1/revocations',
    {
      schema: {
        tags: ['certificates'],
        summary: 'The latest bank-signed revocation list (protocol §11); keep the highest seq',
        response: { 200: revocationListResponse },
      },
    },
    async (_request, reply) => {
      const list = await app.services.certificates.revocationList();
      void reply.header('cache-control', REVOCATIONS_CACHE_CONTROL);
      return {
        seq: list.seq,
        issuedAt: list.issuedAt.toISOString(),
        serials: list.serials.map(String),
        signed: toBase64Url(list.signed),
        // Not part of the signed list: a lower bound of the bank's clock (cached ≤ 30 s), which
        // apps keep to refuse a device clock set back (DESIGN.md §3 "Clocks").
        bankTime: app.now().toISOString(),
      };
    },
  );
  reportRoutes(app);
  done();
};

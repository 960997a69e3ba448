/**
 * Bearer authentication: `app.authenticate` as a route's `onRequest` hook refuses requests
 * without a valid, unexpired, unrevoked token (401 with a BANK_* code) and sets `request.user`.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bankFail } from '../errors.js';
import type { AuthUser } from '../modules/auth/auth.domain.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once `app.authenticate` has run; null before. */
    user: AuthUser | null;
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

/** The user of an authenticated request. @throws BANK_AUTH_REQUIRED when the route forgot the hook. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) bankFail('BANK_AUTH_REQUIRED', 'This route needs a login');
  return request.user;
}

export default fp(
  (app, _options, done) => {
    app.decorateRequest('user', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
      if (!match?.[1])
        bankFail('BANK_AUTH_REQUIRED', 'Send Authorization: Bearer <token> (POST /v1/auth/login)');
      request.user = await app.services.auth.authenticate(match[1]);
    });
    done();
  },
  { name: 'offpay-auth', dependencies: ['offpay-services'] },
);

/**
 * Bearer authentication. `app.authenticate` as a route's `onRequest` hook refuses requests
 * without a valid, unexpired, unrevoked customer token (401 with a BANK_* code) and sets
 * `request.user`. `app.authorizeOperator(access)` does the same for operator routes with an
 * operator token, then checks the operator's role against the roles the route's declaration in
 * `@offpay/api` allows (403 BANK_ROLE_FORBIDDEN) and sets `request.operator`.
 */
import type { OperatorAccess } from '@offpay/api';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bankFail } from '../errors.js';
import type { AuthUser } from '../modules/auth/auth.domain.js';
import { mayUse, type OperatorActor } from '../modules/operators/operators.domain.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once `app.authenticate` has run; null before. */
    user: AuthUser | null;
    /** The operator, once `app.authorizeOperator` has run; null before and on customer routes. */
    operator: OperatorActor | null;
  }
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
    /** The onRequest hook of an operator route with this access declaration. */
    authorizeOperator: (access: OperatorAccess) => (request: FastifyRequest) => Promise<void>;
  }
}

/** The user of an authenticated request. @throws BANK_AUTH_REQUIRED when the route forgot the hook. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) bankFail('BANK_AUTH_REQUIRED', 'This route needs a login');
  return request.user;
}

/** The operator of an operator route. @throws BANK_AUTH_REQUIRED when the route forgot the hook. */
export function requireOperator(request: FastifyRequest): OperatorActor {
  if (!request.operator) bankFail('BANK_AUTH_REQUIRED', 'This route needs an operator sign-in');
  return request.operator;
}

function bearer(request: FastifyRequest, signIn: string): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
  if (!match?.[1]) bankFail('BANK_AUTH_REQUIRED', `Send Authorization: Bearer <token> (${signIn})`);
  return match[1];
}

export default fp(
  (app, _options, done) => {
    app.decorateRequest('user', null);
    app.decorateRequest('operator', null);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearer(request, 'POST /v1/auth/login');
      request.user = await app.services.auth.authenticate(token);
    });
    app.decorate(
      'authorizeOperator',
      (access: OperatorAccess) => async (request: FastifyRequest) => {
        const token = bearer(request, 'POST /v1/operator/auth/login');
        const operator = await app.services.operators.authenticate(token);
        if (!mayUse(operator.role, access)) {
          bankFail('BANK_ROLE_FORBIDDEN', `The ${operator.role} role may not use this route`, {
            role: operator.role,
            allowed: [...access.roles],
          });
        }
        request.operator = operator;
      },
    );
    done();
  },
  { name: 'offpay-auth', dependencies: ['offpay-services'] },
);

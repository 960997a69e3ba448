/** POST /v1/auth/register, /v1/auth/login, /v1/auth/logout. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authErrors, bearerSecurity, currencySchema, errorSchema } from '../../http/schemas.js';
import { requireUser } from '../../plugins/auth.js';
import { normalizeEmail } from './auth.domain.js';

const credentials = {
  email: z.email().max(254).describe('Login name; compared case-insensitively'),
  password: z.string().min(10).max(256).describe('At least 10 characters'),
};

const registerBody = z.object({
  ...credentials,
  // No control or format characters: a display name is shown to payers (bidi tricks, DESIGN.md §3).
  displayName: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[^\p{C}]+$/u),
  currency: currencySchema.default('EUR'),
});

const loginBody = z.object({ email: credentials.email, password: z.string().min(1).max(256) });

/** Authentication routes. */
export const authRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  app.post(
    '/v1/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a user and its customer account',
        body: registerBody,
        response: {
          201: z.object({
            userId: z.uuid(),
            accountId: z.uuid(),
            email: z.string(),
            displayName: z.string(),
            currency: currencySchema,
          }),
          400: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { email, password, displayName, currency } = request.body;
      const ids = await app.services.auth.register({ email, password, displayName, currency });
      return reply
        .status(201)
        .send({ ...ids, email: normalizeEmail(email), displayName, currency });
    },
  );

  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for a Bearer access token (JWT, HS256)',
        body: loginBody,
        response: {
          200: z.object({
            accessToken: z.string(),
            tokenType: z.literal('Bearer'),
            expiresIn: z.number().int().describe('Seconds'),
            expiresAt: z.iso.datetime(),
          }),
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (request) => {
      const token = await app.services.auth.login(request.body);
      return {
        accessToken: token.accessToken,
        tokenType: 'Bearer' as const,
        expiresIn: token.expiresIn,
        expiresAt: token.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Log out everywhere: every token issued so far stops working',
        security: bearerSecurity,
        response: { 204: z.null().describe('No content'), ...authErrors },
      },
    },
    async (request, reply) => {
      await app.services.auth.logout(requireUser(request).id);
      return reply.status(204).send(null);
    },
  );
  done();
};

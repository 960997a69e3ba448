/**
 * The one error handler (STYLE.md "fastify/demo"): every failure, unknown routes included,
 * answers `{ code, message, details }`. 5xx are logged with the error; 4xx only with the code.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { toErrorResponse } from '../http/error-response.js';

/** Sends the mapped error; shared by the error handler and fastify's `frameworkErrors` hook. */
export function sendError(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const bodyLimitBytes =
    request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0;
  const { status, body } = toErrorResponse(err, { bodyLimitBytes, requestId: request.id });
  if (status >= 500) request.log.error({ err, code: body.code }, 'request failed');
  else request.log.info({ code: body.code }, 'request refused');
  if (status === 503) void reply.header('retry-after', '5');
  return reply.status(status).send(body);
}

/** Registers the error and not-found handlers. */
export default fp(
  (app, _options, done) => {
    app.setErrorHandler((err: FastifyError, request, reply) => sendError(err, request, reply));
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        code: 'BANK_NOT_FOUND',
        message: `No route matches ${request.method} ${request.url.split('?')[0] ?? ''}`,
        details: {},
      }),
    );
    done();
  },
  { name: 'offpay-error-handler' },
);

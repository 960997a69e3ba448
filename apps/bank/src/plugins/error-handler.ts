/**
 * The one error handler (STYLE.md "fastify/demo"): every failure, unknown routes, wrong methods
 * and requests that are not even HTTP included, answers `{ code, message, details }`. Fastify's
 * own error bodies never leave the bank. 5xx are logged with the error; 4xx only with the code.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BANK_ERRORS, type ErrorBody } from '@offpay/api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { toErrorResponse } from '../http/error-response.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The media types the route reads, the preferred first (named by a 415); default JSON. */
    accepts?: readonly string[];
  }
}

/** The media types a route reads, for a 415's message: `config.accepts` of the route, else JSON. */
export function acceptedMediaTypes(request: FastifyRequest): readonly string[] {
  return request.routeOptions.config?.accepts ?? ['application/json'];
}

// Framework errors after which the body was read to its end: the connection can serve the next
// request. Fastify marks every body-parser failure `Connection: close`, as some leave unread
// bytes; a JSON body that was read whole but does not parse leaves none.
const BODY_READ_WHOLE = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

function readWhole(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code } = err as { code?: unknown };
  // JSON.parse's SyntaxError reaches the handler with status 400 and no code.
  return typeof code === 'string' ? BODY_READ_WHOLE.has(code) : err instanceof SyntaxError;
}

/** Sends the mapped error; shared by the error handler and fastify's `frameworkErrors` hook. */
export function sendError(
  err: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const bodyLimitBytes =
    request.routeOptions.bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0;
  const { status, body } = toErrorResponse(err, {
    bodyLimitBytes,
    requestId: request.id,
    acceptedMediaTypes: acceptedMediaTypes(request),
  });
  if (status >= 500) request.log.error({ err, code: body.code }, 'request failed');
  else request.log.info({ code: body.code }, 'request refused');
  if (status === 503) void reply.header('retry-after', '5');
  if (readWhole(err)) reply.removeHeader('connection');
  return reply.status(status).send(body);
}

const ROUTABLE_METHODS = ['GET', 'HEAD', 'POST'] as const;

/** The methods some route of `app` answers at `path` (empty: no route has this path). */
function allowedMethods(app: FastifyInstance, path: string) {
  return ROUTABLE_METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
}

/** 405 with Allow when the path exists under another method, else 404. */
function notFound(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0] ?? '';
  const allowed = allowedMethods(app, path);
  if (allowed.length > 0) {
    return reply
      .status(405)
      .header('allow', allowed.join(', '))
      .send({
        code: 'BANK_METHOD_NOT_ALLOWED',
        message: `${path.slice(0, 200)} answers ${allowed.join(', ')}, not ${request.method}`,
        details: { allowed },
      } satisfies ErrorBody);
  }
  return reply.status(404).send({
    code: 'BANK_NOT_FOUND',
    message: `No route matches ${request.method} ${path.slice(0, 200)}`,
    details: {},
  } satisfies ErrorBody);
}

/**
 * The answer to bytes Node's HTTP parser refused before Fastify saw a request (a malformed request
 * line or header, headers over the bound, a request that did not arrive in time). The parser
 * cannot find the next request in such a stream, so the connection closes after the answer.
 */
export function clientErrorAnswer(
  err: { code?: unknown },
  bounds: { maxHeaderBytes?: number; timeoutSeconds?: number } = {},
) {
  const { maxHeaderBytes = maxHeaderSize, timeoutSeconds = 0 } = bounds;
  const code = typeof err.code === 'string' ? err.code : '';
  const [status, body]: [number, ErrorBody] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [
          BANK_ERRORS.BANK_HEADERS_TOO_LARGE.status,
          {
            code: 'BANK_HEADERS_TOO_LARGE',
            message: `The request line and headers are larger than ${maxHeaderBytes} bytes`,
            details: { limitBytes: maxHeaderBytes },
          },
        ]
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            BANK_ERRORS.BANK_REQUEST_TIMEOUT.status,
            {
              code: 'BANK_REQUEST_TIMEOUT',
              message: 'The request did not arrive completely in time',
              details: { timeoutSeconds },
            },
          ]
        : [
            BANK_ERRORS.BANK_BAD_REQUEST.status,
            {
              code: 'BANK_BAD_REQUEST',
              message: 'The request is not valid HTTP/1.1 (request line, method or headers)',
              details: { issues: [{ path: 'request', message: code || 'unreadable' }] },
            },
          ];
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`
  );
}

/** Fastify's `clientErrorHandler`: {@link clientErrorAnswer}, then the connection closes. */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Socket | Duplex,
): void {
  // A reset or a destroyed socket has no one to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.info({ code: err.code }, 'unreadable request refused');
  const answer = clientErrorAnswer(err, {
    maxHeaderBytes: maxHeaderSize,
    timeoutSeconds: Math.round(this.server.requestTimeout / 1000),
  });
  if (socket.writable) socket.end(answer);
  else socket.destroy();
}

/** Registers the error and not-found handlers. */
export default fp(
  (app, _options, done) => {
    app.setErrorHandler((err: FastifyError, request, reply) => sendError(err, request, reply));
    app.setNotFoundHandler((request, reply) => notFound(app, request, reply));
    // Text bodies are read by no route; without this parser, text/plain is 415 like any other.
    app.removeContentTypeParser('text/plain');
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused with 400, here in the bank's
    // shape (Node's own check, turned off in app.ts, answers with no body at all).
    // A callback hook, not an async one: it runs on every request and most pass straight through.
    app.addHook('onRequest', (request, reply, next) => {
      if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
        void reply.status(400).send({
          code: 'BANK_BAD_REQUEST',
          message: 'An HTTP/1.1 request needs a Host header',
          details: { issues: [{ path: 'headers/host', message: 'missing' }] },
        } satisfies ErrorBody);
        return;
      }
      next();
    });
    done();
  },
  { name: 'offpay-error-handler' },
);

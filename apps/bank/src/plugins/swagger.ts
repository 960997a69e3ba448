/** OpenAPI document from the routes' zod schemas, served with Swagger UI at /docs. */
import { routes, SETTLEMENT_BODY_LIMIT, type RouteSpec } from '@offpay/api';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { DOCS_CSP } from './security-headers.js';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { BankConfig } from '../config.js';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/** Routes that also read raw bytes, by `METHOD path` as Fastify registers them. */
const RAW_BODY_ROUTES = new Map(
  (Object.values(routes) as RouteSpec[])
    .filter((r) => r.rawBody && r.body)
    .map((r) => [`${r.method} ${r.path}`, r]),
);

/**
 * The zod transform, plus the request forms of routes that read their body themselves (POST
 * /v1/settlements): the JSON forms from the route's zod body, and each raw media type as bytes,
 * every one with the route's byte limit.
 */
function transform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const method = typeof input.route.method === 'string' ? input.route.method : '';
  const route = RAW_BODY_ROUTES.get(`${method} ${input.url}`);
  if (!route?.rawBody || !route.body) return jsonSchemaTransform(input);
  const { rawBody } = route;
  const withBody = { ...input, schema: { ...input.schema, body: route.body } };
  const out = jsonSchemaTransform(withBody);
  const json = (out.schema as { body?: Record<string, unknown> }).body ?? {};
  const bytes = {
    type: 'string',
    format: 'binary',
    maxLength: rawBody.maxBytes,
    description: rawBody.description,
  };
  const content: Record<string, { schema: unknown }> = Object.fromEntries(
    rawBody.mediaTypes.map((t) => [t, { schema: bytes }]),
  );
  content['application/json'] = {
    schema: { ...json, description: `JSON, at most ${rawBody.maxBytes} bytes` },
  };
  return { ...out, schema: { ...out.schema, body: { content } } };
}

/** Registers @fastify/swagger and the UI; must come before any route. */
export default fp<{ config: BankConfig }>(
  async (app, { config }) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'offpay bank',
          version: '1.0.0',
          description:
            'The bank of offpay: accounts, keys, enrollment of payer and payee devices, ' +
            'revocations, settlement of sealed batches, fraud proofs, live settlement events, ' +
            'merchant verification and the operators who run the bank (their own sign-in with ' +
            'TOTP, roles per route). ' +
            'The protocol behind it is docs/protocol.md; every route is declared once in ' +
            '@offpay/api, which clients parse answers with. Every error is ' +
            '`{code, message, details}` (docs/errors.md). Request bodies are limited to ' +
            `${config.bodyLimitBytes} bytes (413 BANK_BODY_TOO_LARGE beyond), a settlement ` +
            `batch to ${SETTLEMENT_BODY_LIMIT} bytes.`,
        },
        servers: [{ url: config.publicBaseUrl }],
        components: {
          securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        },
      },
      transform,
    });
    // Its own page policy, on top of the API's (plugins/security-headers.ts).
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
  },
  { name: 'offpay-swagger' },
);

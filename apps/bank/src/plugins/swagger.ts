/** OpenAPI document from the routes' zod schemas, served with Swagger UI at /docs. */
import { SETTLEMENT_BODY_LIMIT } from '@offpay/api';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { BankConfig } from '../config.js';

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
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs' });
  },
  { name: 'offpay-swagger' },
);

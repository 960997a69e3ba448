/** OpenAPI document from the routes' zod schemas, served with Swagger UI at /docs. */
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
            'Accounts, keys and (later) enrollment and settlement of offpay. Every error is ' +
            '`{code, message, details}` (docs/errors.md). Request bodies are limited to ' +
            `${config.bodyLimitBytes} bytes (413 BANK_BODY_TOO_LARGE beyond).`,
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

/**
 * CORS for the browser apps (apps/sender, apps/receiver), which run on their own origins and
 * call the API with fetch. Only the configured origins are answered; credentials are never
 * sent by cookie (the apps use a Bearer header), so `credentials` stays off.
 */
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import { DEFAULT_CORS_ORIGINS, type BankConfig } from '../config.js';

export default fp<{ config: BankConfig }>(
  async (app, { config }) => {
    await app.register(cors, {
      origin: config.corsOrigins ?? DEFAULT_CORS_ORIGINS,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'idempotency-key'],
      exposedHeaders: ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after'],
      maxAge: 600,
      // An OPTIONS without the preflight headers is answered like a preflight (204), not with
      // the plugin's plain-text 400, which is outside the bank's error shape.
      strictPreflight: false,
    });
  },
  { name: 'cors' },
);

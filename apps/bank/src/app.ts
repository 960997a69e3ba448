/**
 * Builds the bank: registers plugins in order and nothing else (STYLE.md "fastify/demo").
 * `buildApp(config, deps)` is what server.ts and the tests call; tests inject their own
 * database, stores, clock and log destination.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { DEFAULT_EVENTS, DEFAULT_WEBHOOKS, type BankConfig } from './config.js';
import type { Database } from './db/queryable.js';
import { trustProxyOption } from './http/trust-proxy.js';
import type { KeyValueStores } from './kv/kv.js';
import { createLogger } from './logger.js';
import { accountRoutes } from './modules/accounts/accounts.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { consoleRoutes } from './modules/console/console.routes.js';
import { consoleStreamRoutes } from './modules/console/console.stream.js';
import { depositRoutes } from './modules/deposits/deposits.routes.js';
import { payoutRoutes } from './modules/payouts/payouts.routes.js';
import { enrollmentRoutes } from './modules/enrollment/enrollment.routes.js';
import { refundRoutes } from './modules/refunds/refunds.routes.js';
import { reportRoutes } from './modules/reports/reports.routes.js';
import { reserveReleaseJob } from './modules/reserves/reserves.job.js';
import { auditAnchorJob } from './modules/audit/audit.job.js';
import { revocationRoutes } from './modules/revocations/revocations.routes.js';
import { eventRoutes } from './modules/events/events.routes.js';
import { fraudRoutes } from './modules/fraud/fraud.routes.js';
import { handoverRoutes } from './modules/handovers/handovers.routes.js';
import { settlementRoutes } from './modules/settlement/settlement.routes.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { merchantRoutes } from './modules/merchants/merchants.routes.js';
import { operatorRoutes } from './modules/operators/operators.routes.js';
import { keyRoutes } from './modules/keys/keys.routes.js';
import { webhookDeliveryJob, webhookRetentionJob } from './modules/webhooks/webhooks.job.js';
import { webhookRoutes } from './modules/webhooks/webhooks.routes.js';
import { createDeliveryWorker } from './modules/webhooks/webhooks.worker.js';
import appsPlugin from './plugins/apps.js';
import authPlugin from './plugins/auth.js';
import corsPlugin from './plugins/cors.js';
import dbPlugin from './plugins/db.js';
import demoPlugin from './plugins/demo.js';
import errorHandler, { clientErrorHandler, sendError } from './plugins/error-handler.js';
import kvPlugin from './plugins/kv.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import securityHeaders from './plugins/security-headers.js';
import servicesPlugin from './plugins/services.js';
import operationsPlugin from './observability/operations.js';
import swaggerPlugin from './plugins/swagger.js';

/** The longest a request (its headers and body) may take to arrive. */
export const REQUEST_TIMEOUT_MS = 60_000;

/** What tests (or an embedding program) may supply instead of the defaults. */
export interface AppDeps {
  /** A database the caller owns and closes; default: from `config`. */
  database?: Database;
  /** Key-value stores the caller owns and closes; default: from `config`. */
  stores?: KeyValueStores;
  /** The bank's clock; default: the system clock. */
  now?: () => Date;
  /** Where log lines go; default: stdout. */
  logDestination?: DestinationStream;
  /** Certificate and key (PEM) to serve HTTPS with; default: plain HTTP. */
  https?: { cert: Buffer; key: Buffer };
}

/** Builds (but does not start) the bank. Call `ready()` or `listen()` on the result. */
export async function buildApp(config: BankConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  // Typed as fastify's base logger so that FastifyInstance keeps its default generics.
  const logger: FastifyBaseLogger = createLogger(config.logLevel, deps.logDestination);
  const app = Fastify({
    // HTTPS changes only the server underneath, not the routes: typed as the plain instance.
    ...(deps.https ? { https: deps.https } : {}),
    loggerInstance: logger,
    bodyLimit: config.bodyLimitBytes,
    // Whose X-Forwarded-For to believe: per-address rate limits need the client's address.
    trustProxy: trustProxyOption(config.trustProxy),
    // PGlite needs several seconds to start; the default 10 s plugin timeout is too tight.
    pluginTimeout: 60_000,
    frameworkErrors: (err, request, reply) => void sendError(err, request, reply),
    // Bytes that are not HTTP get the bank's error shape too, never Fastify's default body.
    clientErrorHandler,
    // A request (headers and body) must arrive within a minute: one that stops short of its
    // Content-Length no longer holds its connection for ever (408 BANK_REQUEST_TIMEOUT). Node
    // checks every 30 s, so the cut comes 60 to 90 s in; a whole batch needs 24 KB/s.
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Node answers an HTTP/1.1 request without Host with a bare 400 (no body); the error handler
    // plugin makes the same refusal in the bank's shape instead (RFC 9112 §3.2).
    http: { requireHostHeader: false },
  }) as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorHandler);
  // Before every route: the apps and /docs set their own Content-Security-Policy on top.
  await app.register(securityHeaders);
  await app.register(corsPlugin, { config });
  if (config.docs !== false) await app.register(swaggerPlugin, { config });
  await app.register(appsPlugin, { config });
  await app.register(dbPlugin, { config, ...(deps.database ? { database: deps.database } : {}) });
  await app.register(kvPlugin, { config, ...(deps.stores ? { stores: deps.stores } : {}) });
  await app.register(servicesPlugin, { config, now: deps.now ?? (() => new Date()) });
  await app.register(operationsPlugin, { config });
  await app.register(authPlugin);
  await app.register(rateLimitPlugin, { config });
  await app.register(healthRoutes);
  await app.register(keyRoutes);
  await app.register(authRoutes);
  await app.register(accountRoutes);
  await app.register(enrollmentRoutes);
  await app.register(revocationRoutes);
  await app.register(reportRoutes);
  await app.register(settlementRoutes);
  await app.register(eventRoutes, {
    heartbeatSeconds: (config.events ?? DEFAULT_EVENTS).heartbeatSeconds,
  });
  await app.register(fraudRoutes);
  await app.register(handoverRoutes);
  await app.register(operatorRoutes);
  await app.register(merchantRoutes);
  await app.register(depositRoutes);
  await app.register(payoutRoutes);
  await app.register(refundRoutes);
  await app.register(webhookRoutes);
  await app.register(consoleRoutes);
  await app.register(consoleStreamRoutes);
  await app.register(auditAnchorJob, { intervalSeconds: config.auditAnchorSeconds ?? 0 });
  await app.register(reserveReleaseJob, {
    intervalSeconds: config.certificates.releaseIntervalSeconds,
  });
  const webhooks = config.webhooks ?? DEFAULT_WEBHOOKS;
  await app.register(webhookDeliveryJob, {
    pollMs: webhooks.pollMs,
    worker: () =>
      createDeliveryWorker({
        db: app.db,
        vault: app.webhookVault,
        options: webhooks,
        observer: { attempt: (outcome) => app.metrics.webhookAttempts.inc({ outcome }) },
      }),
  });
  await app.register(webhookRetentionJob, {
    days: webhooks.retentionDays ?? DEFAULT_WEBHOOKS.retentionDays!,
    intervalMs: webhooks.retentionIntervalMs ?? DEFAULT_WEBHOOKS.retentionIntervalMs!,
  });
  await app.register(demoPlugin, { config });
  return app;
}

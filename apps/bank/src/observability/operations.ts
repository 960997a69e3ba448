/**
 * Operations (DESIGN.md §5, docs/operations.md "Metrics and alerts"): GET /metrics in the
 * Prometheus text format, whole-batch refusals counted by code, and the bad-signature burst
 * alert. /metrics has no login (scrape it on a private network) and is left out of the public
 * API's OpenAPI document.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';
import { toErrorResponse } from '../http/error-response.js';
import { createBurstDetector, type BurstDetector } from './alerts.js';

const SETTLEMENT_URL = '/v1/settlements';
const BAD_SIGNATURE = 'PROTO_SIGNATURE_INVALID';

const isSettlement = (request: FastifyRequest) =>
  request.method === 'POST' && request.routeOptions.url === SETTLEMENT_URL;

/** Options: the config (alert thresholds). */
export interface OperationsPluginOptions {
  config: BankConfig;
}

/** Entries a settlement answer rejected for a bad signature (0 for a replayed answer). */
function badSignatureEntries(payload: unknown): number {
  if (typeof payload !== 'object' || payload === null || !('results' in payload)) return 0;
  const { results, replayed } = payload as { results: unknown; replayed?: unknown };
  if (replayed === true || !Array.isArray(results)) return 0;
  let n = 0;
  for (const r of results as { code?: unknown }[]) if (r.code === BAD_SIGNATURE) n++;
  return n;
}

export default fp<OperationsPluginOptions>(
  (app, { config }, done) => {
    const { metrics } = app;
    const windowSeconds = config.alerts?.windowSeconds ?? 60;
    const detector: BurstDetector = createBurstDetector({
      threshold: config.alerts?.badSignatures ?? 5,
      windowSeconds,
      now: app.now,
      // An address and a count only: never payment contents or keys.
      onBurst: (ip, count) =>
        app.log.warn(
          { alert: 'bad-signature-burst', ip, count, windowSeconds },
          `${count} bad signatures from ${ip} within ${windowSeconds} s`,
        ),
    });

    // Off when configured so (production's default, docs/operations.md "Run it for real").
    if (config.metrics !== false) {
      app.get('/metrics', { schema: { hide: true } }, async (_request, reply: FastifyReply) => {
        void reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      });
    }

    // A whole batch refused (4xx): counted by the code the client receives.
    app.addHook('onError', async (request, _reply, error) => {
      if (!isSettlement(request)) return;
      const { status, body } = toErrorResponse(error, { bodyLimitBytes: 0, requestId: request.id });
      if (status < 400 || status >= 500) return;
      metrics.batchesRefused.inc({ code: body.code });
      if (body.code === BAD_SIGNATURE) detector.record(request.ip);
    });

    // Entries of a settled batch rejected for a bad signature count towards the same alert.
    app.addHook('preSerialization', (request, reply, payload, next) => {
      if (isSettlement(request) && reply.statusCode === 200)
        detector.record(request.ip, badSignatureEntries(payload));
      next(null, payload);
    });
    done();
  },
  { name: 'offpay-operations', dependencies: ['offpay-services'] },
);

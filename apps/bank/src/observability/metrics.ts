/**
 * The bank's Prometheus metrics (DESIGN.md §5 "Operations"), in one registry per app instance so
 * tests can build several apps in one process. Served at GET /metrics.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric the bank exports. Names follow Prometheus conventions (`_total`, `_seconds`). */
export interface BankMetrics {
  registry: Registry;
  /** Settlement entries by status (settled, duplicate, rejected) and code. */
  settlementEntries: Counter<'status' | 'code'>;
  /** Whole batches refused (4xx) by code. */
  batchesRefused: Counter<'code'>;
  /** Batches answered, by whether it was a replay of a stored result. */
  batches: Counter<'replayed'>;
  /** Seconds per batch phase: open, verify, transaction. */
  batchPhaseSeconds: Histogram<'phase'>;
  /** Requests refused by a rate limit, by route group. */
  rateLimited: Counter<'group'>;
  /** Redis operations that failed (the bank fell back to Postgres or in-process state). */
  redisFailures: Counter<'role'>;
  /** Fraud proofs recorded, by kind. */
  fraudProofs: Counter<'kind'>;
  /** Seconds to check a batch's signatures, by path: in-thread, worker pool, or fallback. */
  verifySeconds: Histogram<'path'>;
  /** Verify workers that failed (crash, exit, timeout); their batches were checked in-thread. */
  verifyWorkerFailures: Counter;
  /** Settlement transactions run again, by reason: `conflict` (deadlock, serialization) or `connection`. */
  settlementRetries: Counter<'reason'>;
  /** Webhook delivery attempts by outcome: delivered, retried (will try again) or failed (given up). */
  webhookAttempts: Counter<'outcome'>;
}

/** A fresh registry with every metric and Node's default process metrics. */
export function createMetrics(): BankMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'offpay_bank_' });
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    settlementEntries: counter(
      'offpay_settlement_entries_total',
      'Settlement entries by status and code',
      ['status', 'code'],
    ),
    batchesRefused: counter(
      'offpay_settlement_batches_refused_total',
      'Batches refused as a whole, by code',
      ['code'],
    ),
    batches: counter('offpay_settlement_batches_total', 'Batches answered', ['replayed']),
    batchPhaseSeconds: new Histogram({
      name: 'offpay_settlement_phase_seconds',
      help: 'Seconds per settlement phase (open, verify, transaction)',
      labelNames: ['phase'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    rateLimited: counter('offpay_rate_limited_total', 'Requests refused by a rate limit', [
      'group',
    ]),
    redisFailures: counter('offpay_redis_failures_total', 'Redis operations that failed', ['role']),
    fraudProofs: counter('offpay_fraud_proofs_total', 'Fraud proofs recorded', ['kind']),
    verifySeconds: new Histogram({
      name: 'offpay_settlement_verify_seconds',
      help: "Seconds to check a batch's signatures, by path (thread, pool, fallback)",
      labelNames: ['path'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    verifyWorkerFailures: new Counter({
      name: 'offpay_verify_worker_failures_total',
      help: 'Verify workers that failed; their batches were checked in-thread',
      registers: [registry],
    }),
    settlementRetries: counter(
      'offpay_settlement_retries_total',
      'Settlement transactions run again after a deadlock, serialization failure or lost connection',
      ['reason'],
    ),
    webhookAttempts: counter(
      'offpay_webhook_attempts_total',
      'Webhook delivery attempts by outcome (delivered, retried, failed)',
      ['outcome'],
    ),
  };
}

/** Settlement's observers: metrics (phases, entry outcomes, batches, fraud proofs) and alerts. */
import { toHex } from '@offpay/crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { VerifyPoolOptions } from '../modules/settlement/verify/pool.js';
import type { SettlementObserver } from '../modules/settlement/settlement.ports.js';
import type { BankMetrics } from './metrics.js';

/** Records what settlement reports in the metrics registry. */
export function metricsObserver(metrics: BankMetrics): SettlementObserver {
  return {
    phase: (name, seconds) => metrics.batchPhaseSeconds.observe({ phase: name }, seconds),
    answered: ({ result, replayed }) => {
      metrics.batches.inc({ replayed: String(replayed) });
      if (replayed) return;
      for (const r of result.results)
        metrics.settlementEntries.inc({ status: r.status, code: r.code || 'none' });
    },
    fraudProof: ({ kind }) => metrics.fraudProofs.inc({ kind }),
    retried: (reason) => metrics.settlementRetries.inc({ reason }),
  };
}

/**
 * Logs every fraud proof at warn, as an alert (docs/operations.md "Alerts"): the certificate
 * serial, the kind and the two payment ids — public data; never payment bytes or keys.
 */
export function alertsObserver(log: FastifyBaseLogger): SettlementObserver {
  return {
    fraudProof: ({ serial, kind, paymentIds, proofId }) =>
      log.warn(
        {
          alert: 'fraud-proof',
          serial,
          kind,
          paymentIds: paymentIds.map((id) => toHex(id)),
          proofId: proofId.toString(),
        },
        `fraud proof recorded: payer certificate ${serial} (${kind}) revoked`,
      ),
  };
}

/** The verify pool's reports: durations by path, and worker failures counted and logged. */
export function verifyPoolObserver(
  metrics: BankMetrics,
  log: FastifyBaseLogger,
): Pick<VerifyPoolOptions, 'onVerified' | 'onWorkerError'> {
  return {
    onVerified: (path, seconds) => metrics.verifySeconds.observe({ path }, seconds),
    onWorkerError: (err) => {
      metrics.verifyWorkerFailures.inc();
      log.error({ err: err.message }, 'verify worker failed: batches are checked in-thread');
    },
  };
}

/** One observer that forwards to several (metrics, alerts, live events, …). */
export function combineObservers(...observers: SettlementObserver[]): SettlementObserver {
  return {
    phase: (name, seconds) => observers.forEach((o) => o.phase?.(name, seconds)),
    answered: (info) => observers.forEach((o) => o.answered?.(info)),
    fraudProof: (info) => observers.forEach((o) => o.fraudProof?.(info)),
    retried: (reason) => observers.forEach((o) => o.retried?.(reason)),
  };
}

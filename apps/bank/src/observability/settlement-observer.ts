/** Settlement's observers: metrics (phases, entry outcomes, batches, fraud proofs) and alerts. */
import { toHex } from '@offpay/crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { VerifyPoolOptions } from '../modules/settlement/verify/pool.js';
import type { SettlementObserver } from '../modules/settlement/settlement.ports.js';
import type { BankMetrics } from './metrics.js';

/**
 * Records what settlement reports in the metrics registry. Per batch, each distinct (status, code)
 * pair is counted once with its number of entries, and each phase's histogram child is looked up
 * once per process: prom-client hashes the labels on every call, ten times a batch of ten before.
 */
export function metricsObserver(metrics: BankMetrics): SettlementObserver {
  const phases = new Map<string, { observe(seconds: number): void }>();
  const phaseChild = (name: string) => {
    let child = phases.get(name);
    if (!child) phases.set(name, (child = metrics.batchPhaseSeconds.labels({ phase: name })));
    return child;
  };
  return {
    phase: (name, seconds) => phaseChild(name).observe(seconds),
    answered: ({ result, replayed }) => {
      metrics.batches.inc({ replayed: String(replayed) });
      if (replayed) return;
      const counts = new Map<string, { status: string; code: string; n: number }>();
      for (const r of result.results) {
        const code = r.code || 'none';
        const key = `${r.status} ${code}`;
        const seen = counts.get(key);
        if (seen) seen.n++;
        else counts.set(key, { status: r.status, code, n: 1 });
      }
      for (const { status, code, n } of counts.values())
        metrics.settlementEntries.inc({ status, code }, n);
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

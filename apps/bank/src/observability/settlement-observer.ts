/** Settlement's observer for metrics: phase durations, entry outcomes, batches and fraud proofs. */
import type { SettlementObserver } from '../modules/settlement/settlement.service.js';
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
  };
}

/** One observer that forwards to several (metrics, live events, …). */
export function combineObservers(...observers: SettlementObserver[]): SettlementObserver {
  return {
    phase: (name, seconds) => observers.forEach((o) => o.phase?.(name, seconds)),
    answered: (info) => observers.forEach((o) => o.answered?.(info)),
  };
}

/**
 * Runs the webhook delivery worker (webhooks.worker.ts) inside the bank process, with the
 * lifecycle of plugins/interval-job.ts: a run every `pollMs`, and at once again after a run that
 * found work. A failed run (Postgres down) is logged as `webhook delivery run failed` (once per
 * outage, plugins/interval-job.ts) and retried at the next tick. The retention job (below) deletes old finished deliveries.
 */
import fp from 'fastify-plugin';
import { startIntervalJob } from '../../plugins/interval-job.js';
import type { DeliveryWorker } from './webhooks.worker.js';

/** Options of the delivery job; `pollMs` 0 turns it off on this instance. */
export interface DeliveryJobOptions {
  pollMs: number;
  /** Builds the worker, once, at the first run (the services and database exist by then). */
  worker: () => DeliveryWorker;
}

/** The webhook delivery job as a plugin: starts when the app is ready, stops before it closes. */
export const webhookDeliveryJob = fp<DeliveryJobOptions>(
  (app, { pollMs, worker }, done) => {
    let built: DeliveryWorker | undefined;
    startIntervalJob(app, {
      name: 'webhook delivery',
      intervalMs: pollMs,
      log: app.log.child({ module: 'webhooks' }),
      run: async () => (await (built ??= worker()).runOnce()) > 0,
    });
    done();
  },
  { name: 'offpay-webhook-delivery', dependencies: ['offpay-services'] },
);

/** Options of the retention job; `days` 0 keeps every delivery (the job does not run). */
export interface RetentionJobOptions {
  /** WEBHOOK_RETENTION_DAYS: finished deliveries older than this are deleted. */
  days: number;
  /** Time between runs (an hour in production). */
  intervalMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes delivered and given-up webhook deliveries older than `days` (by the bank's clock), in
 * bounded chunks (webhooks.service.ts `purgeDeliveries`); a run that hit its bound runs again at
 * once. Several instances may run it: each chunk takes its rows SKIP LOCKED.
 */
export const webhookRetentionJob = fp<RetentionJobOptions>(
  (app, { days, intervalMs }, done) => {
    const log = app.log.child({ module: 'webhooks' });
    startIntervalJob(app, {
      name: 'webhook retention',
      intervalMs: days > 0 ? intervalMs : 0,
      log,
      run: async () => {
        const before = new Date(app.now().getTime() - days * DAY_MS);
        const { deleted, more } = await app.services.webhooks.purgeDeliveries(before);
        if (deleted > 0) log.info({ deleted, before }, 'old webhook deliveries deleted');
        return more;
      },
    });
    done();
  },
  { name: 'offpay-webhook-retention', dependencies: ['offpay-services'] },
);

/**
 * Runs the webhook delivery worker (webhooks.worker.ts) inside the bank process, with the
 * lifecycle of plugins/interval-job.ts: a run every `pollMs`, and at once again after a run that
 * found work. A failed run (Postgres down) is logged as `webhook delivery run failed` and retried
 * at the next tick.
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

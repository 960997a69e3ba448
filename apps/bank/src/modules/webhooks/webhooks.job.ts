/**
 * Runs the webhook delivery worker (webhooks.worker.ts) inside the bank process: a run every
 * `pollMs`, and at once again after a run that found work. A failed run (Postgres down) is
 * logged and retried at the next tick; it never crashes the bank. Stops before the database
 * closes, letting a run in progress finish.
 */
import fp from 'fastify-plugin';
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
    if (pollMs <= 0) return done();
    const log = app.log.child({ module: 'webhooks' });
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    let stopped = false;
    let built: DeliveryWorker | undefined;

    const runOnce = async (): Promise<number> => {
      try {
        return await (built ??= worker()).runOnce();
      } catch (err) {
        log.error({ err }, 'webhook delivery run failed');
        return 0;
      }
    };
    // setTimeout after each run, not setInterval: a slow run never overlaps the next one. A run
    // that found work is followed at once by the next, so a backlog drains without waiting.
    const schedule = (delayMs: number) => {
      if (stopped) return;
      timer = setTimeout(() => {
        running = runOnce().then((n) => schedule(n > 0 ? 0 : pollMs));
      }, delayMs);
      timer.unref();
    };

    app.addHook('onReady', (hookDone) => {
      schedule(pollMs);
      hookDone();
    });
    app.addHook('preClose', async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    });
    done();
  },
  { name: 'offpay-webhook-delivery', dependencies: ['offpay-services'] },
);

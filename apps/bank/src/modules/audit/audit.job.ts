/**
 * Anchors the payee audit chains in the main chain every `intervalSeconds` (docs/scaling.md "The
 * audit chain"): one `audit.anchor` entry naming each chain that grew since the last anchor. A
 * failed run is logged and retried at the next tick; the job never crashes the bank. Several
 * instances may run it: anchors are appended under the main chain's lock, and a chain already
 * named at that length is not named again.
 */
import fp from 'fastify-plugin';

/** Options of the anchor job; `intervalSeconds` 0 turns it off on this instance. */
export interface AnchorJobOptions {
  intervalSeconds: number;
}

/** The anchor job as a plugin: starts when the app is ready, stops before it closes. */
export const auditAnchorJob = fp<AnchorJobOptions>(
  (app, { intervalSeconds }, done) => {
    if (intervalSeconds <= 0) return done();
    const log = app.log.child({ module: 'audit-anchor' });
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    let stopped = false;

    const runOnce = async () => {
      try {
        await app.services.audit.anchor(app.db);
      } catch (err) {
        log.error({ err }, 'audit anchor run failed');
      }
    };
    // setTimeout after each run, not setInterval: a slow run never overlaps the next one.
    const schedule = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        running = runOnce().finally(schedule);
      }, intervalSeconds * 1000);
      timer.unref();
    };

    app.addHook('onReady', (hookDone) => {
      schedule();
      hookDone();
    });
    // preClose runs before the database closes: let a run in progress finish first.
    app.addHook('preClose', async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    });
    done();
  },
  { name: 'offpay-audit-anchor', dependencies: ['offpay-services'] },
);

/**
 * Runs the reserve release (DESIGN.md §3 "Expiry": the unspent reserve returns by itself) every
 * `intervalSeconds` on the bank's clock. A failed run is logged and retried at the next tick;
 * the job never crashes the bank. Several instances may run it: rows are taken SKIP LOCKED.
 */
import fp from 'fastify-plugin';

/** Options of the release job; `intervalSeconds` 0 turns it off on this instance. */
export interface ReleaseJobOptions {
  intervalSeconds: number;
}

/** The reserve-release job as a plugin: starts when the app is ready, stops before it closes. */
export const reserveReleaseJob = fp<ReleaseJobOptions>(
  (app, { intervalSeconds }, done) => {
    if (intervalSeconds <= 0) return done();
    const log = app.log.child({ module: 'reserve-release' });
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> = Promise.resolve();
    let stopped = false;

    const runOnce = async () => {
      try {
        const report = await app.services.reserves.releaseExpired(app.now());
        if (report.released.length > 0)
          log.info({ count: report.released.length }, 'reserves released');
        for (const f of report.failed)
          log.error({ err: f.error, serial: f.serial }, 'reserve release failed for a certificate');
      } catch (err) {
        log.error({ err }, 'reserve release run failed');
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
  { name: 'offpay-reserve-release', dependencies: ['offpay-services'] },
);

/**
 * Runs the reserve release (DESIGN.md §3 "Expiry": the unspent reserve returns by itself) every
 * `intervalSeconds` on the bank's clock, with the lifecycle of plugins/interval-job.ts. Several
 * instances may run it: rows are taken SKIP LOCKED.
 */
import fp from 'fastify-plugin';
import { startIntervalJob } from '../../plugins/interval-job.js';

/** Options of the release job; `intervalSeconds` 0 turns it off on this instance. */
export interface ReleaseJobOptions {
  intervalSeconds: number;
}

/** The reserve-release job as a plugin: starts when the app is ready, stops before it closes. */
export const reserveReleaseJob = fp<ReleaseJobOptions>(
  (app, { intervalSeconds }, done) => {
    const log = app.log.child({ module: 'reserve-release' });
    startIntervalJob(app, {
      name: 'reserve release',
      intervalMs: intervalSeconds * 1000,
      log,
      run: async () => {
        const report = await app.services.reserves.releaseExpired(app.now());
        if (report.released.length > 0)
          log.info({ count: report.released.length }, 'reserves released');
        for (const f of report.failed)
          log.error({ err: f.error, serial: f.serial }, 'reserve release failed for a certificate');
        // releaseExpired loops until nothing due is left: no reason to run again at once.
        return false;
      },
    });
    done();
  },
  { name: 'offpay-reserve-release', dependencies: ['offpay-services'] },
);

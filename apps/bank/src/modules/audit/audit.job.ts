/**
 * Anchors the payee audit chains in the main chain every `intervalSeconds` (docs/scaling.md "The
 * audit chain"): one `audit.anchor` entry naming each chain that grew since the last anchor. A
 * failed run is logged and retried at the next tick; the job never crashes the bank. Several
 * instances may run it: anchors are appended under the main chain's lock, and a chain already
 * named at that length is not named again.
 */
import fp from 'fastify-plugin';
import { startIntervalJob } from '../../plugins/interval-job.js';

/** Options of the anchor job; `intervalSeconds` 0 turns it off on this instance. */
export interface AnchorJobOptions {
  intervalSeconds: number;
}

/** The anchor job as a plugin: starts when the app is ready, stops before it closes. */
export const auditAnchorJob = fp<AnchorJobOptions>(
  (app, { intervalSeconds }, done) => {
    startIntervalJob(app, {
      name: 'audit anchor',
      intervalMs: intervalSeconds * 1000,
      run: async () => {
        await app.services.audit.anchor(app.db);
      },
      log: app.log.child({ module: 'audit-anchor' }),
    });
    done();
  },
  { name: 'offpay-audit-anchor', dependencies: ['offpay-services'] },
);

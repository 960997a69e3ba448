/**
 * The one lifecycle of the bank's background jobs (reserve release, webhook delivery): a run
 * every `intervalMs` once the app is ready, stopped before it closes. A failed run (Postgres
 * down) is logged and retried at the next tick; a job never crashes the bank.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** What a background job is: its name, one run, and how often. */
export interface IntervalJob {
  /** In words, for the log: `<name> run failed`. */
  name: string;
  /** Time between the end of one run and the start of the next; 0 or less turns the job off. */
  intervalMs: number;
  /**
   * One run. Resolves `true` when it found work: the next run then starts at once, so a backlog
   * drains without waiting a whole interval. A rejection is logged and counts as no work.
   */
  run: () => Promise<boolean | void>;
  /** Where a failed run is logged. */
  log: FastifyBaseLogger;
}

/**
 * Schedules `job` on `app`: the first run `intervalMs` after `onReady`; `preClose` (which runs
 * before the database closes) cancels the next run and waits for the one in flight.
 */
export function startIntervalJob(app: FastifyInstance, job: IntervalJob): void {
  const { name, intervalMs, run, log } = job;
  if (intervalMs <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const runOnce = async (): Promise<boolean> => {
    try {
      return (await run()) === true;
    } catch (err) {
      log.error({ err }, `${name} run failed`);
      return false;
    }
  };
  // setTimeout after each run, not setInterval: a slow run never overlaps the next one.
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().then((foundWork) => schedule(foundWork ? 0 : intervalMs));
    }, delayMs);
    // A pending tick never keeps the process alive on its own.
    timer.unref();
  };

  app.addHook('onReady', (hookDone) => {
    schedule(intervalMs);
    hookDone();
  });
  app.addHook('preClose', async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  });
}

/**
 * The one lifecycle of the bank's background jobs (reserve release, audit anchor, webhook delivery
 * and retention): a run every `intervalMs` once the app is ready, stopped before it closes. A
 * failed run (Postgres down) is retried at the next tick; a job never crashes the bank. An outage
 * is logged once, not every tick (docs/operations.md "Logs"): the first failed run at error
 * level, the same failure again only as a reminder at most once a minute (with the count of failed
 * runs), a different failure at once, and the first run that succeeds again once at info.
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
  /** Milliseconds now, for the reminder interval (Date.now by default). */
  now?: () => number;
}

/** The same failure is logged again at most this often while it lasts. */
export const FAILURE_REMINDER_MS = 60_000;

/** What a failure is, for "the same failure": its name, code and message. */
function failureKey(err: unknown): string {
  if (!(err instanceof Error)) return String(err).slice(0, 200);
  const code = (err as { code?: unknown }).code;
  return `${err.name}|${typeof code === 'string' ? code : ''}|${err.message.slice(0, 200)}`;
}

/**
 * The outage log of one job: call `failed` after each failed run and `succeeded` after each run
 * that did not throw; it decides what reaches the log.
 */
export function outageLog(name: string, log: FastifyBaseLogger, now: () => number) {
  let failedRuns = 0;
  let key = '';
  let loggedAt = 0;
  return {
    failed(err: unknown): void {
      failedRuns++;
      const k = failureKey(err);
      if (failedRuns === 1 || k !== key) {
        log.error({ err, failedRuns }, `${name} run failed`);
      } else if (now() - loggedAt >= FAILURE_REMINDER_MS) {
        log.error({ err, failedRuns }, `${name} still failing`);
      } else {
        return;
      }
      key = k;
      loggedAt = now();
    },
    succeeded(): void {
      if (failedRuns === 0) return;
      log.info({ failedRuns }, `${name} recovered`);
      failedRuns = 0;
      key = '';
    },
  };
}

/**
 * Schedules `job` on `app`: the first run `intervalMs` after `onReady`; `preClose` (which runs
 * before the database closes) cancels the next run and waits for the one in flight.
 */
export function startIntervalJob(app: FastifyInstance, job: IntervalJob): void {
  const { name, intervalMs, run, log } = job;
  if (intervalMs <= 0) return;
  const outage = outageLog(name, log, job.now ?? Date.now);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const runOnce = async (): Promise<boolean> => {
    let foundWork: boolean;
    try {
      foundWork = (await run()) === true;
    } catch (err) {
      outage.failed(err);
      return false;
    }
    outage.succeeded();
    return foundWork;
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

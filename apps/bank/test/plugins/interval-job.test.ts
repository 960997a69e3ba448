/**
 * The lifecycle shared by the bank's background jobs (src/plugins/interval-job.ts): the first run
 * one interval after the app is ready, a run that found work followed at once, a failed run
 * logged and retried, an outage logged once (a reminder a minute, then "recovered") rather than
 * every tick, close waiting for the run in flight, and 0 turning the job off. The clock is
 * vitest's fake one, so the schedule is asserted by ticks, not by waiting.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startIntervalJob } from '../../src/plugins/interval-job.js';
import { LogCapture } from '../helpers/app.js';

const INTERVAL_MS = 60_000;

let app: FastifyInstance;
let logs: LogCapture;

beforeEach(() => {
  // Date too: the outage log's one-minute reminder reads Date.now.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  logs = new LogCapture();
  app = Fastify({ logger: { level: 'info', stream: logs } });
});

afterEach(async () => {
  await app.close();
  vi.useRealTimers();
});

/** A run that answers from `answers` in turn (then "no work") and counts its calls. */
function scripted(answers: Array<boolean | Error>) {
  const calls = { count: 0 };
  const run = () => {
    const answer = answers[calls.count++] ?? false;
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { calls, run };
}

describe('startIntervalJob', () => {
  it('runs one interval after ready, again at once after work, then one interval later', async () => {
    const { calls, run } = scripted([true, true, false, false]);
    startIntervalJob(app, { name: 'test job', intervalMs: INTERVAL_MS, run, log: app.log });
    await app.ready();

    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(calls.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.count).toBe(1);
    // Two runs found work: each was followed at once (a 0 ms timer, 1 ms on Node's clock), up
    // to the run that found none, long before another interval.
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.count).toBe(3);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 20);
    expect(calls.count).toBe(3);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls.count).toBe(4);
  });

  it('never starts before the app is ready', async () => {
    const { calls, run } = scripted([]);
    startIntervalJob(app, { name: 'test job', intervalMs: INTERVAL_MS, run, log: app.log });
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(calls.count).toBe(0);
  });

  it('logs a failed run by name and runs again at the next tick', async () => {
    const { calls, run } = scripted([new Error('postgres is down'), false]);
    startIntervalJob(app, { name: 'test job', intervalMs: INTERVAL_MS, run, log: app.log });
    await app.ready();

    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls.count).toBe(1);
    expect(logs.text()).toContain('test job run failed');
    expect(logs.text()).toContain('postgres is down');
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(calls.count).toBe(2);
  });

  it('logs an outage once, a reminder a minute, and its end once, with the count', async () => {
    const down = () => new Error('connect ECONNREFUSED 127.0.0.1:5432');
    // 150 failed runs a second apart, one of them a different failure, then a success.
    const answers: Array<boolean | Error> = Array.from({ length: 150 }, (_, i) =>
      i === 99 ? new Error('relation "payee_heads" does not exist') : down(),
    );
    const { calls, run } = scripted([...answers, false, new Error('disk full')]);
    startIntervalJob(app, { name: 'test job', intervalMs: 1000, run, log: app.log });
    await app.ready();

    // Runs at 1 s, 2 s, … : 150 failures, a success at 151 s, a new failure at 152 s.
    await vi.advanceTimersByTimeAsync(152_000);
    expect(calls.count).toBe(152);
    const jobLines = logs.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; failedRuns?: number })
      .filter((e) => e.msg.startsWith('test job'))
      .map((e) => [e.level, e.msg, e.failedRuns]);
    expect(jobLines).toEqual([
      [50, 'test job run failed', 1], // the outage starts: error level
      [50, 'test job still failing', 61], // a minute later: one reminder, with the count
      [50, 'test job run failed', 100], // a different failure: logged at once
      [50, 'test job run failed', 101], // and the first one back: a change again
      [30, 'test job recovered', 150], // the first success: once, at info, with the count
      [50, 'test job run failed', 1], // a new outage starts afresh
    ]);
    expect(logs.text()).toContain('ECONNREFUSED');
  });

  it('close waits for the run in flight and no run starts afterwards', async () => {
    let finish: (() => void) | undefined;
    let count = 0;
    const run = () => {
      count++;
      return new Promise<boolean>((resolve) => {
        finish = () => resolve(true);
      });
    };
    startIntervalJob(app, { name: 'test job', intervalMs: INTERVAL_MS, run, log: app.log });
    await app.ready();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(count).toBe(1);

    let closed = false;
    const closing = app.close().then(() => {
      closed = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    finish?.();
    await closing;
    expect(closed).toBe(true);
    // The run found work, yet the job is stopped: nothing follows it.
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(count).toBe(1);
  });

  it('an interval of 0 turns the job off', async () => {
    const { calls, run } = scripted([]);
    startIntervalJob(app, { name: 'test job', intervalMs: 0, run, log: app.log });
    await app.ready();
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(calls.count).toBe(0);
  });
});

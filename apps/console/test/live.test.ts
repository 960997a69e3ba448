/**
 * The live activity stream is kept open: reopened after a growing wait when it cannot open or it
 * ends, the wait reset once it opened, and no more tries once the session is gone.
 */
import { describe, expect, it } from 'vitest';
import { backoffMs, keepOpen, type LiveState } from '../src/live.js';

describe('backoffMs', () => {
  it('doubles from 1 s to at most 30 s, with ±20 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffMs(a, 0.5))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffMs(0, 0)).toBe(800);
    expect(backoffMs(5, 0.999999)).toBeLessThanOrEqual(36_000);
  });
});

/** A fake clock: timers run when the test says. */
function fakeTimers() {
  const pending: { run: () => void; ms: number }[] = [];
  return {
    pending,
    setTimer: (run: () => void, ms: number) => pending.push({ run, ms }),
    clearTimer: () => void pending.splice(0),
    next: () => pending.shift()!.run(),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('keepOpen', () => {
  it('retries with growing waits until it opens, then waits from the start again after a drop', async () => {
    const timers = fakeTimers();
    const states: LiveState['state'][] = [];
    const waits: number[] = [];
    let failures = 2;
    let close: (() => void) | undefined;
    keepOpen({
      open: (_signal, onClose) => {
        if (failures-- > 0) return Promise.reject(new Error('offline'));
        close = onClose;
        return Promise.resolve();
      },
      final: () => false,
      onState: (s) => {
        states.push(s.state);
        if (s.state === 'waiting') waits.push(s.retryInMs);
      },
      delay: (attempt) => 1000 * 2 ** attempt,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    await settle();
    timers.next();
    await settle();
    timers.next();
    await settle();
    expect(states).toEqual([
      'connecting',
      'waiting',
      'connecting',
      'waiting',
      'connecting',
      'open',
    ]);
    expect(waits).toEqual([1000, 2000]);
    close!();
    expect(waits).toEqual([1000, 2000, 1000]);
  });

  it('stops trying on a failure waiting cannot mend, and after stop()', async () => {
    const timers = fakeTimers();
    const states: LiveState['state'][] = [];
    keepOpen({
      open: () => Promise.reject(new Error('signed out')),
      final: (e) => e instanceof Error && e.message === 'signed out',
      onState: (s) => states.push(s.state),
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    await settle();
    expect(states).toEqual(['connecting', 'stopped']);
    expect(timers.pending).toHaveLength(0);

    let opened = 0;
    const other = keepOpen({
      open: () => (opened++, Promise.reject(new Error('offline'))),
      final: () => false,
      onState: () => undefined,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    await settle();
    expect(timers.pending).toHaveLength(1);
    other.stop();
    expect(timers.pending).toHaveLength(0);
    expect(opened).toBe(1);
  });
});

/** The burst detector behind the bad-signature alert: per source, once per fixed window, bounded. */
import { describe, expect, it } from 'vitest';
import { createBurstDetector } from '../../src/observability/alerts.js';

function detector(maxSources?: number) {
  const clock = { t: 1_000_000 };
  const bursts: [string, number][] = [];
  const d = createBurstDetector({
    threshold: 5,
    windowSeconds: 60,
    now: () => new Date(clock.t),
    onBurst: (source, count) => bursts.push([source, count]),
    ...(maxSources ? { maxSources } : {}),
  });
  return { d, clock, bursts };
}

describe('createBurstDetector', () => {
  it('reports a source once when it reaches the threshold within a window', () => {
    const { d, bursts } = detector();
    for (let i = 0; i < 4; i++) d.record('a');
    d.record('b', 4);
    expect(bursts).toEqual([]);
    d.record('a');
    d.record('a', 10);
    expect(bursts).toEqual([['a', 5]]);
    d.record('b', 3);
    expect(bursts).toEqual([
      ['a', 5],
      ['b', 7],
    ]);
  });

  it('starts a new window after windowSeconds: old events no longer count', () => {
    const { d, clock, bursts } = detector();
    d.record('a', 4);
    clock.t += 60_000;
    d.record('a', 4);
    expect(bursts).toEqual([]);
    d.record('a');
    expect(bursts).toEqual([['a', 5]]);
  });

  it('ignores zero counts and keeps at most maxSources windows', () => {
    const { d, bursts } = detector(3);
    d.record('a', 0);
    for (const s of ['a', 'b', 'c', 'd']) d.record(s, 4);
    // 'a' was forgotten to make room for 'd': its count starts again.
    d.record('a');
    d.record('d');
    expect(bursts).toEqual([['d', 5]]);
  });
});

/** The simulation's pure model: replayable randomness, the documented bounds, the table. */
import { describe, expect, it } from 'vitest';
import {
  BOUNDED,
  formatTable,
  holderBound,
  LONG,
  recoveryCap,
  Rng,
  rows,
  settingFromEnv,
  till,
  tillExposure,
  type Holder,
} from './simulation.js';

function holder(over: Partial<Holder> = {}): Holder {
  return {
    name: 'h',
    kind: 'honest',
    serial: 1,
    limit: 2_000n,
    funded: 10_000n,
    settled: 0n,
    ownSettled: 0n,
    ...over,
  };
}

describe('the simulation model', () => {
  it('replays a seed: the same seed gives the same draws, another seed others', () => {
    const draws = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 20 }, () => rng.int(0, 1_000_000));
    };
    expect(draws(42)).toEqual(draws(42));
    expect(draws(42)).not.toEqual(draws(43));
    const rng = new Rng(1);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
    expect(new Rng(9).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads SIM_LONG and SIM_SEED', () => {
    expect(settingFromEnv({ SIM_LONG: '1', SIM_SEED: '7' })).toEqual({ setting: LONG, seed: 7 });
    expect(settingFromEnv({ SIM_SEED: 'x' }).setting).toBe(BOUNDED);
    expect(Number.isSafeInteger(settingFromEnv({}).seed)).toBe(true);
  });

  it('bounds a holder by L + C, and a reported stolen key by max(settled at the report, L)', () => {
    expect(recoveryCap(2_000n)).toBe(2_000n);
    expect(recoveryCap(2_001n, 50n)).toBe(1_000n);
    expect(holderBound(holder())).toBe(4_000n);
    expect(holderBound(holder({ kind: 'stolen', settledAtReport: 0n }))).toBe(2_000n);
    expect(holderBound(holder({ kind: 'stolen', settledAtReport: 3_000n }))).toBe(3_000n);
    expect(holderBound(holder({ kind: 'stolen', settledAtReport: 5_000n }))).toBe(4_000n);
  });

  it("exposes a merchant's till per certificate up to L from a cheat, nothing from an honest payer", () => {
    const holders = new Map([
      [1, holder({ serial: 1 })],
      [2, holder({ serial: 2, kind: 'double-spend' })],
    ]);
    const t = till('shop', false, 0);
    t.accepted.set(1, 1_500n);
    t.accepted.set(2, 3_500n);
    expect(tillExposure(t, holders)).toEqual(
      new Map([
        [1, 0n],
        [2, 2_000n],
      ]),
    );
  });

  it('prints one row per kind of party with the smallest slack under its bound', () => {
    const h = holder({ kind: 'double-spend', settled: 3_000n });
    const t = till('shop', false, 2);
    t.accepted.set(1, 2_500n);
    t.lost.set(1, 500n);
    t.refused.set('PROTO_CERT_REVOKED', 3);
    const table = rows([h], [t], new Set([1]), 0n);
    expect(table.map((r) => [r.party, r.maxLoss, r.minSlack])).toEqual([
      ['holder: double-spend', 3_000n, 1_000n],
      ['till: merchant', 500n, 1_500n],
      ['bank', 0n, 0n],
    ]);
    const text = formatTable('title', table);
    expect(text).toContain('| holder: double-spend |');
    expect(text).toContain('CERT_REVOKED 3');
  });
});

/**
 * The recovery rule on plain numbers (recovery.domain.ts; docs/threat-model.md "Liability"): the
 * reserve first; beyond it only for a proven cheater, up to the cap and the balance, never after a
 * close or a compromise report; the owner's loss is at most limit + cap whatever is presented.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RECOVERY_CAP_PERCENT,
  fundPayment,
  recoveryCap,
  type FundingInput,
} from '../../../src/modules/settlement/recovery.domain.js';

const base: FundingInput = {
  amount: 1_000n,
  limit: 2_000n,
  settled: 0n,
  cap: 2_000n,
  available: 200_000n,
  proven: false,
  recoveryEnded: false,
};

describe('recoveryCap', () => {
  it('is the limit once more by default, floor of a percent otherwise', () => {
    expect(DEFAULT_RECOVERY_CAP_PERCENT).toBe(100);
    expect(recoveryCap(2_000n, 100)).toBe(2_000n);
    expect(recoveryCap(2_000n, 0)).toBe(0n);
    expect(recoveryCap(999n, 50)).toBe(499n);
    expect(recoveryCap(2_000n, 10_000)).toBe(200_000n);
  });

  it('refuses a percent that is not an integer in 0 … 10000', () => {
    for (const bad of [-1, 1.5, 10_001, Number.NaN])
      expect(() => recoveryCap(1n, bad)).toThrow(RangeError);
  });
});

describe('fundPayment', () => {
  it('funds from the reserve while it lasts, proven or not, recovery ended or not', () => {
    for (const proven of [false, true])
      for (const recoveryEnded of [false, true])
        expect(fundPayment({ ...base, proven, recoveryEnded, settled: 1_000n })).toEqual({
          fromReserve: 1_000n,
          fromAvailable: 0n,
        });
  });

  it('beyond the reserve: nothing for a certificate not proven to cheat', () => {
    expect(fundPayment({ ...base, settled: 1_500n })).toBeNull();
  });

  it('beyond the reserve, proven: the rest from the balance, up to the cap', () => {
    const proven = { ...base, proven: true };
    expect(fundPayment({ ...proven, settled: 1_500n })).toEqual({
      fromReserve: 500n,
      fromAvailable: 500n,
    });
    // 1,500 recovered before: 500 left of the cap.
    expect(fundPayment({ ...proven, settled: 3_500n, amount: 500n })).toEqual({
      fromReserve: 0n,
      fromAvailable: 500n,
    });
    expect(fundPayment({ ...proven, settled: 3_500n, amount: 501n })).toBeNull();
    expect(fundPayment({ ...proven, settled: 4_000n, amount: 1n })).toBeNull();
  });

  it('never more than the balance holds, and nothing after a close or report', () => {
    const proven = { ...base, proven: true, settled: 2_000n };
    expect(fundPayment({ ...proven, available: 999n })).toBeNull();
    expect(fundPayment({ ...proven, available: 1_000n })).not.toBeNull();
    expect(fundPayment({ ...proven, recoveryEnded: true })).toBeNull();
  });

  it('whatever is presented, in any order: the owner loses at most limit + cap (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 100_000n }),
        fc.nat({ max: 300 }),
        fc.array(
          fc.record({ amount: fc.bigInt({ min: 1n, max: 50_000n }), proven: fc.boolean() }),
          {
            maxLength: 60,
          },
        ),
        fc.integer({ min: -1, max: 60 }),
        (limit, percent, payments, endAt) => {
          const cap = recoveryCap(limit, percent);
          let settled = 0n;
          let available = 1_000_000n;
          let recovered = 0n;
          let afterEnd = 0n;
          payments.forEach((p, i) => {
            const ended = endAt >= 0 && i >= endAt;
            const reserveBefore = settled < limit ? limit - settled : 0n;
            const f = fundPayment({
              amount: p.amount,
              limit,
              settled,
              cap,
              available,
              proven: p.proven,
              recoveryEnded: ended,
            });
            if (!f) return;
            expect(f.fromReserve + f.fromAvailable).toBe(p.amount);
            expect(f.fromReserve).toBeLessThanOrEqual(reserveBefore);
            settled += p.amount;
            available -= f.fromAvailable;
            recovered += f.fromAvailable;
            if (ended) afterEnd += f.fromAvailable;
          });
          expect(recovered).toBeLessThanOrEqual(cap);
          expect(settled).toBeLessThanOrEqual(limit + cap);
          expect(afterEnd).toBe(0n);
        },
      ),
      { numRuns: 300 },
    );
  });
});

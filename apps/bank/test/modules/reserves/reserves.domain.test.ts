/** The reserve's pure rules: what it still holds, and when it may return. */
import { GRACE_SECONDS } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  reserveReleasable,
  reserveRemaining,
} from '../../../src/modules/reserves/reserves.domain.js';

describe('expiry and the reserve', () => {
  it('releases only after the last second in which settlement still accepts', () => {
    const expiresAt = new Date('2030-01-08T00:00:00Z');
    const at = (s: number) => new Date(expiresAt.getTime() + s * 1000);
    expect(reserveReleasable(expiresAt, at(GRACE_SECONDS))).toBe(false);
    expect(reserveReleasable(expiresAt, at(GRACE_SECONDS + 0.999))).toBe(false);
    expect(reserveReleasable(expiresAt, at(GRACE_SECONDS + 1))).toBe(true);
  });

  it('keeps limit − min(limit, settled) until released', () => {
    const r = (settled: bigint, releasedAt: Date | null = null) =>
      reserveRemaining({ limit: 1_000n, settled, releasedAt });
    expect(r(0n)).toBe(1_000n);
    expect(r(300n)).toBe(700n);
    expect(r(1_000n)).toBe(0n);
    expect(r(1_500n)).toBe(0n);
    expect(r(300n, new Date())).toBe(0n);
  });
});

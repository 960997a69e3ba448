/** Pure rules of operators: TOTP (RFC 6238 vectors), single-use steps, roles, audit data. */
import { describe, expect, it } from 'vitest';
import {
  mayUse,
  operatorAudience,
  operatorAuditData,
  stepIsFresh,
} from '../../../src/modules/operators/operators.domain.js';
import {
  matchTotp,
  provisioningUri,
  timeStep,
  totpCode,
} from '../../../src/modules/operators/operators.totp.js';

// RFC 6238 Appendix B: the SHA-1 seed, and the last six digits of its eight-digit codes.
const SEED = new TextEncoder().encode('12345678901234567890');
const RFC_6238: [number, string][] = [
  [59, '287082'],
  [1_111_111_109, '081804'],
  [1_111_111_111, '050471'],
  [1_234_567_890, '005924'],
  [2_000_000_000, '279037'],
];

describe('TOTP', () => {
  it.each(RFC_6238)('gives the RFC 6238 code at T = %i', (t, code) => {
    expect(totpCode(SEED, t * 1000)).toBe(code);
  });

  it('matches the current step and one either side, never two away', () => {
    const now = 1_234_567_890_000;
    const step = timeStep(now);
    expect(matchTotp(SEED, totpCode(SEED, now), now)).toBe(step);
    expect(matchTotp(SEED, totpCode(SEED, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(SEED, totpCode(SEED, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(SEED, totpCode(SEED, now - 60_000), now)).toBeNull();
    expect(matchTotp(SEED, '000000', now)).toBeNull();
  });

  it('provisions authenticator apps with an otpauth URI naming the bank and the operator', () => {
    expect(provisioningUri(SEED, 'ops@bank.example')).toBe(
      'otpauth://totp/offpay:ops%40bank.example?issuer=offpay&secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('accepts each time step once, and never an older one', () => {
    expect(stepIsFresh(null, 100)).toBe(true);
    expect(stepIsFresh(99, 100)).toBe(true);
    expect(stepIsFresh(100, 100)).toBe(false);
    expect(stepIsFresh(101, 100)).toBe(false);
  });
});

describe('roles and tokens', () => {
  it('lets auditors read only what routes allow them', () => {
    expect(mayUse('auditor', { roles: ['operator'] })).toBe(false);
    expect(mayUse('auditor', { roles: ['operator', 'auditor'] })).toBe(true);
    expect(mayUse('operator', { roles: ['operator'] })).toBe(true);
  });

  it("gives operator tokens another audience than customers'", () => {
    expect(operatorAudience('offpay')).not.toBe('offpay');
  });

  it('audits who (id, email, role), the target and the reason', () => {
    const actor = { id: 'op-1', email: 'ops@bank.example', role: 'operator' as const };
    expect(
      operatorAuditData(actor, {
        action: 'merchant.approved',
        target: 'merchant_application:9',
        reason: 'checked',
      }),
    ).toEqual({
      operatorId: 'op-1',
      operatorEmail: 'ops@bank.example',
      operatorRole: 'operator',
      target: 'merchant_application:9',
      reason: 'checked',
    });
  });
});

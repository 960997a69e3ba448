/** Enrollment's pure rules: challenges, expiry times, display names. */
import { describe, expect, it } from 'vitest';
import { isBankError } from '../../../src/errors.js';
import {
  acceptChallenge,
  certifiableDisplayName,
  certificateExpiry,
  encodeChallengeRecord,
  requireRecentSignIn,
} from '../../../src/modules/enrollment/enrollment.domain.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isBankError(e) ? e.code : 'not a bank error';
  }
};

describe('enrollment challenges', () => {
  const challenge = new Uint8Array(32).fill(9);
  const stored = encodeChallengeRecord({ userId: 'u1', challenge, expiresAtMs: 1_000 });

  it('grants the challenge to its user before it expires, and to nobody else', () => {
    expect(acceptChallenge(stored, 'u1', 999)).toEqual(challenge);
    for (const [value, user, now] of [
      [stored, 'u2', 0],
      [stored, 'u1', 1_000],
      [null, 'u1', 0],
      ['not json', 'u1', 0],
      ['{"u":"u1","c":"!!","e":5000}', 'u1', 0],
      ['{"u":"u1","c":"AA","e":"5000"}', 'u1', 0],
    ] as const) {
      expect(code(() => acceptChallenge(value, user, now))).toBe('BANK_CHALLENGE_INVALID');
    }
  });
});

describe('expiry', () => {
  it('gives whole-second expiry times within the 32-bit wire time', () => {
    expect(certificateExpiry(new Date('2030-01-01T00:00:00.999Z'), 60)).toBe(1_893_456_060);
    expect(() => certificateExpiry(new Date('2106-02-07T06:28:00Z'), 86_400)).toThrow(RangeError);
  });
});

describe('display names in payee certificates', () => {
  it('accepts 64 UTF-8 bytes and refuses more, or format characters', () => {
    expect(certifiableDisplayName('é'.repeat(32))).toBe('é'.repeat(32));
    for (const name of ['é'.repeat(33), '', 'Bob\u202Eevil'])
      expect(code(() => certifiableDisplayName(name))).toBe('BANK_DISPLAY_NAME_UNUSABLE');
  });
});

describe('the sign-in behind a payer enrollment', () => {
  it('passes a sign-in at most the limit old (a token from a clock slightly ahead too) and refuses an older one', () => {
    const now = 1_900_000_000;
    expect(code(() => requireRecentSignIn(now, now, 300))).toBeUndefined();
    expect(code(() => requireRecentSignIn(now - 300, now, 300))).toBeUndefined();
    expect(code(() => requireRecentSignIn(now + 20, now, 300))).toBeUndefined();
    expect(code(() => requireRecentSignIn(now - 301, now, 300))).toBe('BANK_SIGN_IN_REQUIRED');
    expect(code(() => requireRecentSignIn(0, now, 900))).toBe('BANK_SIGN_IN_REQUIRED');
  });
});

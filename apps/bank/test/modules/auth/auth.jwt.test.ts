import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isJwtError,
  MAX_TOKEN_LENGTH,
  signJwt,
  verifyJwt,
  type AccessClaims,
} from '../../../src/modules/auth/auth.jwt.js';

const secret = new Uint8Array(32).fill(7);
const now = 1_800_000_000;
const expect_ = { issuer: 'http://bank.test', audience: 'offpay', now };
const claims: AccessClaims = {
  iss: 'http://bank.test',
  aud: 'offpay',
  sub: '4807f68a-bf4e-4092-8e51-257f840e2116',
  iat: now,
  exp: now + 900,
  ver: 3,
};
const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function reason(token: unknown, options = expect_, key = secret): string {
  try {
    verifyJwt(token, key, options);
    return 'valid';
  } catch (err) {
    // Matched by name and reason, as the auth service does: never by class.
    if (!isJwtError(err)) throw err;
    return err.reason;
  }
}

describe('HS256 JWT', () => {
  it('round-trips its claims', () => {
    expect(verifyJwt(signJwt(claims, secret), secret, expect_)).toEqual(claims);
  });

  it('refuses alg none, other algorithms and extra header fields', () => {
    const [, payload] = signJwt(claims, secret).split('.');
    expect(reason(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`)).toBe('malformed');
    expect(reason(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.AAAA`)).toBe('malformed');
    expect(reason(`${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.AAAA`)).toBe('malformed');
    expect(reason(`${b64({ alg: 'HS256', typ: 'JWT', kid: 'x' })}.${payload}.AAAA`)).toBe(
      'malformed',
    );
    expect(reason(`${b64({ alg: 'HS256' })}.${payload}.AAAA`)).toBe('malformed');
  });

  it('refuses a tampered payload, another key, and a non-canonical signature encoding', () => {
    const token = signJwt(claims, secret);
    const [h, , s] = token.split('.');
    expect(reason(`${h}.${b64({ ...claims, ver: 4 })}.${s}`)).toBe('signature');
    expect(reason(token, expect_, new Uint8Array(32).fill(8))).toBe('signature');
    // 32 bytes encode to 43 characters whose last one carries 2 unused bits: flipping them
    // decodes to the same bytes, and must still be refused.
    const last = s?.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    expect(reason(`${token.slice(0, -1)}${twin}`)).toBe('malformed');
  });

  it('refuses expired tokens, tokens from the future, and other issuers or audiences', () => {
    const expired = signJwt({ ...claims, iat: now - 960, exp: now - 60 }, secret);
    expect(reason(expired)).toBe('expired');
    expect(() => verifyJwt(expired, secret, expect_)).toThrow(
      expect.objectContaining({ name: 'JwtError', reason: 'expired' }),
    );
    expect(isJwtError({ name: 'JwtError', reason: 'expired' }, 'signature')).toBe(false);
    expect(reason(signJwt({ ...claims, iat: now + 3600, exp: now + 7200 }, secret))).toBe('claims');
    expect(reason(signJwt({ ...claims, iss: 'http://evil.test' }, secret))).toBe('claims');
    expect(reason(signJwt({ ...claims, aud: 'other' }, secret))).toBe('claims');
    expect(reason(signJwt({ ...claims, ver: -1 }, secret))).toBe('claims');
  });

  it('refuses oversized and non-string input before parsing', () => {
    expect(reason('a'.repeat(MAX_TOKEN_LENGTH + 1))).toBe('malformed');
    expect(reason(42)).toBe('malformed');
    expect(reason('a.b')).toBe('malformed');
  });

  it('never accepts a token with any one character changed (property)', () => {
    const token = signJwt(claims, secret);
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCxyz019-_.=+/ '), (i, c) => {
        const mutated = token.slice(0, i) + c + token.slice(i + 1);
        if (mutated === token) return;
        expect(reason(mutated)).not.toBe('valid');
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('only ever throws JwtError, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(reason(s)).not.toBe('valid');
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

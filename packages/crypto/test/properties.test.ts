/**
 * fast-check properties: round trips and tamper detection, with fixed run counts. Seeds are left
 * random so that each run explores new inputs; a failure prints its seed and path, which then
 * becomes a regression test (STYLE.md "Tests").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromBase64Url,
  fromHex,
  generateSecretKey,
  getPublicKey,
  isCryptoError,
  malleate,
  open,
  seal,
  sign,
  toBase64Url,
  toHex,
  verify,
} from '../src/index.js';
import { flipByte, thrown } from './helpers.js';

const params = (numRuns: number) => ({ numRuns });

const recipientSecret = generateSecretKey();
const recipientPublic = getPublicKey(recipientSecret);
const signer = generateSecretKey();
const signerPublic = getPublicKey(signer);

const message = fc.uint8Array({ maxLength: 600 });
const info = fc.uint8Array({ maxLength: 64 });
const mask = fc.integer({ min: 1, max: 255 });

describe('HPKE seal/open properties', () => {
  it('open(seal(m)) = m for any message of 0..600 bytes and any info', () => {
    fc.assert(
      fc.property(message, info, (m, i) => {
        expect(open(recipientSecret, i, seal(recipientPublic, i, m))).toEqual(m);
      }),
      params(60),
    );
  });

  it('changing any single byte of the sealed bytes makes open throw CRYPTO_HPKE_OPEN_FAILED', () => {
    fc.assert(
      fc.property(message, info, fc.nat(), mask, (m, i, position, xor) => {
        const sealed = seal(recipientPublic, i, m);
        const tampered = flipByte(sealed, position % sealed.length, xor);
        const e = thrown(() => open(recipientSecret, i, tampered));
        expect(isCryptoError(e, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(true);
      }),
      params(100),
    );
  });

  it('changing a byte inside enc (the first 65 bytes) is detected too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), mask, (position, xor) => {
        const sealed = seal(recipientPublic, new Uint8Array(0), Uint8Array.of(1, 2, 3));
        const e = thrown(() =>
          open(recipientSecret, new Uint8Array(0), flipByte(sealed, position, xor)),
        );
        expect(isCryptoError(e, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(true);
      }),
      params(60),
    );
  });
});

describe('ECDSA properties', () => {
  it('a signature and its malleated twin both verify for any message', () => {
    fc.assert(
      fc.property(message, (m) => {
        const sig = sign(m, signer);
        expect(verify(sig, m, signerPublic)).toBe(true);
        expect(verify(malleate(sig), m, signerPublic)).toBe(true);
      }),
      params(50),
    );
  });

  it('changing any single byte of the signature makes verify return false', () => {
    // Turning s into n − s by one byte change is astronomically unlikely, so any change must fail.
    fc.assert(
      fc.property(message, fc.integer({ min: 0, max: 63 }), mask, (m, position, xor) => {
        const sig = sign(m, signer);
        expect(verify(flipByte(sig, position, xor), m, signerPublic)).toBe(false);
      }),
      params(100),
    );
  });

  it('changing any single byte of the message makes verify return false', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.nat(), mask, (m, p, xor) => {
        const sig = sign(m, signer);
        expect(verify(sig, flipByte(m, p % m.length, xor), signerPublic)).toBe(false);
      }),
      params(100),
    );
  });
});

describe('encoding properties', () => {
  it('hex and base64url round-trip any bytes and agree with Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
        expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
      params(200),
    );
  });

  it('fromBase64Url accepts only the canonical text of some byte string', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }), (chars) => {
        const text = chars.join('');
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64Url(text);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
        if (decoded !== undefined) expect(toBase64Url(decoded)).toBe(text);
      }),
      params(200),
    );
  });
});

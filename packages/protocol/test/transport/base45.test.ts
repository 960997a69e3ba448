import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE45_ALPHABET,
  base45Length,
  decodeBase45,
  encodeBase45,
} from '../../src/transport/index.js';
import { expectCode } from '../expect-code.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
  ])('encodes the RFC 9285 §4.3 example %j as %j', (input, expected) => {
    expect(encodeBase45(ascii(input))).toBe(expected);
    expect(text(decodeBase45(expected))).toBe(input);
  });

  it('decodes the RFC 9285 §4.4 example "QED8WEX0" to "ietf!"', () => {
    expect(text(decodeBase45('QED8WEX0'))).toBe('ietf!');
  });

  it('accepts the largest values: "FGW" is 65535 and "U5" is 255', () => {
    expect([...decodeBase45('FGW')]).toEqual([255, 255]);
    expect([...decodeBase45('U5')]).toEqual([255]);
    expect(encodeBase45(Uint8Array.of(255, 255, 255))).toBe('FGWU5');
  });

  it.each([
    ['GGW', 'a triple worth 65536 (RFC 9285 §4.2 example)'],
    [':::', 'the largest triple, 91124'],
    ['V5', 'a final pair worth 256'],
    ['::', 'the largest pair, 2024'],
    ['QED8WEX', 'a length of 1 mod 3'],
    ['A', 'a single character'],
    ['qed8wex0', 'lower-case letters'],
    ['QED8WE_0', 'a character outside the alphabet'],
    ['BB8\n', 'a newline'],
  ])('refuses %j: %s', (input) => {
    expectCode(() => decodeBase45(input), 'PROTO_QR_INVALID');
  });

  it('round-trips any bytes, with exactly the predicted length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = encodeBase45(bytes);
        expect(encoded).toHaveLength(base45Length(bytes.length));
        expect(decodeBase45(encoded)).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts exactly one text per byte string: any accepted text re-encodes to itself', () => {
    const chars = fc.constantFrom(...BASE45_ALPHABET);
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 30 }), (candidate) => {
        let decoded: Uint8Array;
        try {
          decoded = decodeBase45(candidate);
        } catch {
          return;
        }
        expect(encodeBase45(decoded)).toBe(candidate);
      }),
      { numRuns: 100 },
    );
  });
});

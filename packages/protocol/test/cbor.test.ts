/**
 * The strict deterministic CBOR codec (docs/protocol.md §1): cross-checked against cborg's RFC 8949
 * mode, and every refusal with its exact code.
 */
import { encode as cborgEncode, decode as cborgDecode, rfc8949EncodeOptions } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, MAX_CBOR_DEPTH, type CborValue } from '../src/index.js';
import { codeOf, expectCode } from './helpers.js';

const MAX = Number.MAX_SAFE_INTEGER;
const bytes = (...b: number[]) => Uint8Array.from(b);
const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** Integers within ±(2^53 − 1), biased towards the boundaries of each head size. */
const integer = fc.oneof(
  fc.integer({ min: -MAX, max: MAX }),
  fc.integer({ min: -300, max: 300 }),
  fc.constantFrom(
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    MAX,
    -24,
    -25,
    -256,
    -257,
    -(2 ** 32),
    -MAX,
  ),
);
const textValue = fc.string({ unit: 'binary', maxLength: 40 });

/** Any value of the v1 subset, arrays nested at most MAX_CBOR_DEPTH deep. */
function valueOfDepth(depth: number): fc.Arbitrary<CborValue> {
  const leaf = fc.oneof(integer, fc.uint8Array({ maxLength: 40 }), textValue);
  if (depth === 0) return leaf;
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(valueOfDepth(depth - 1), { maxLength: 5 }) },
  );
}
const anyValue = valueOfDepth(MAX_CBOR_DEPTH);

/** cborg hands out Node Buffers; compare them as plain Uint8Arrays. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

describe('CBOR encoding', () => {
  it('produces exactly the RFC 8949 deterministic encoding (as cborg writes it) for any value of the subset', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(encodeCbor(value)).toEqual(plain(cborgEncode(value, rfc8949EncodeOptions)));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes what it encodes to the same value, and what cborg encodes too', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(decodeCbor(encodeCbor(value))).toEqual(value);
        expect(decodeCbor(Uint8Array.from(cborgEncode(value, rfc8949EncodeOptions)))).toEqual(
          value,
        );
        expect(plain(cborgDecode(encodeCbor(value)))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses bytes that decode, unless they are exactly the encoding of what they decode to', () => {
    fc.assert(
      fc.property(anyValue, fc.nat(), fc.integer({ min: 1, max: 255 }), (value, position, mask) => {
        const encoded = encodeCbor(value);
        const changed = new Uint8Array(encoded);
        changed[position % changed.length]! ^= mask;
        const code = codeOf(() => {
          const back = decodeCbor(changed);
          expect(encodeCbor(back)).toEqual(changed);
        });
        expect([
          undefined,
          'PROTO_CBOR_MALFORMED',
          'PROTO_CBOR_NONCANONICAL',
          'PROTO_CBOR_FORBIDDEN',
        ]).toContain(code);
      }),
      { numRuns: 600 },
    );
  });

  it('uses the shortest head at every size boundary', () => {
    expect(encodeCbor(23)).toEqual(bytes(0x17));
    expect(encodeCbor(24)).toEqual(bytes(0x18, 24));
    expect(encodeCbor(256)).toEqual(bytes(0x19, 1, 0));
    expect(encodeCbor(2 ** 32)).toEqual(hexBytes('1b0000000100000000'));
    expect(encodeCbor(MAX)).toEqual(hexBytes('1b001fffffffffffff'));
    expect(encodeCbor(-MAX)).toEqual(hexBytes('3b001ffffffffffffe'));
    expect(decodeCbor(hexBytes('3b001ffffffffffffe'))).toBe(-MAX);
  });

  it('refuses to encode what the subset cannot carry: floats, unsafe integers, deeper nesting, other types', () => {
    expect(() => encodeCbor(1.5)).toThrow(RangeError);
    expect(() => encodeCbor(2 ** 53)).toThrow(RangeError);
    let deep: CborValue = [];
    for (let i = 0; i < MAX_CBOR_DEPTH; i++) deep = [deep];
    expect(() => encodeCbor(deep)).toThrow(RangeError);
    expect(() => encodeCbor(true as unknown as CborValue)).toThrow(TypeError);
  });

  it('refuses to encode text with a lone surrogate, which would come back as U+FFFD', () => {
    expect(() => encodeCbor('a\uD800')).toThrow(RangeError);
    expect(() => encodeCbor(['\uDC00b'])).toThrow(RangeError);
    expect(decodeCbor(encodeCbor('\u{1F363}'))).toBe('\u{1F363}');
  });
});

describe('CBOR strict decoding refuses, with its exact code', () => {
  const cases: [string, string, string][] = [
    ['1817', 'PROTO_CBOR_NONCANONICAL', '23 in a one-byte argument'],
    ['1900ff', 'PROTO_CBOR_NONCANONICAL', '255 in a two-byte argument'],
    ['1a0000ffff', 'PROTO_CBOR_NONCANONICAL', '65535 in a four-byte argument'],
    ['1b00000000ffffffff', 'PROTO_CBOR_NONCANONICAL', '2^32 − 1 in an eight-byte argument'],
    ['3800', 'PROTO_CBOR_NONCANONICAL', '−1 in a one-byte argument'],
    ['5801aa', 'PROTO_CBOR_NONCANONICAL', 'a byte string length in a longer head'],
    ['780161', 'PROTO_CBOR_NONCANONICAL', 'a text length in a longer head'],
    ['980101', 'PROTO_CBOR_NONCANONICAL', 'an array length in a longer head'],
    ['5f4101ff', 'PROTO_CBOR_FORBIDDEN', 'an indefinite byte string'],
    ['7f6161ff', 'PROTO_CBOR_FORBIDDEN', 'an indefinite text string'],
    ['9f01ff', 'PROTO_CBOR_FORBIDDEN', 'an indefinite array'],
    ['bfff', 'PROTO_CBOR_FORBIDDEN', 'an indefinite map'],
    ['c074323031332d30332d32315432303a30343a30305a', 'PROTO_CBOR_FORBIDDEN', 'tag 0'],
    ['d8184101', 'PROTO_CBOR_FORBIDDEN', 'tag 24 (embedded CBOR)'],
    ['f93c00', 'PROTO_CBOR_FORBIDDEN', 'a half float'],
    ['fa3f800000', 'PROTO_CBOR_FORBIDDEN', 'a single float'],
    ['fb3ff0000000000000', 'PROTO_CBOR_FORBIDDEN', 'a double float'],
    ['f4', 'PROTO_CBOR_FORBIDDEN', 'false'],
    ['f5', 'PROTO_CBOR_FORBIDDEN', 'true'],
    ['f6', 'PROTO_CBOR_FORBIDDEN', 'null'],
    ['f7', 'PROTO_CBOR_FORBIDDEN', 'undefined'],
    ['f820', 'PROTO_CBOR_FORBIDDEN', 'simple value 32'],
    ['ff', 'PROTO_CBOR_MALFORMED', 'a lone break (not well-formed, RFC 8949 §3)'],
    ['a0', 'PROTO_CBOR_FORBIDDEN', 'an empty map'],
    ['a10102', 'PROTO_CBOR_FORBIDDEN', 'a map'],
    ['81a0', 'PROTO_CBOR_FORBIDDEN', 'a map nested in an array'],
    ['1b0020000000000000', 'PROTO_CBOR_FORBIDDEN', 'the integer 2^53'],
    ['1bffffffffffffffff', 'PROTO_CBOR_FORBIDDEN', 'the integer 2^64 − 1'],
    ['3b001fffffffffffff', 'PROTO_CBOR_FORBIDDEN', 'the integer −2^53'],
    ['818181818181818180', 'PROTO_CBOR_FORBIDDEN', 'arrays nested 9 deep'],
    ['', 'PROTO_CBOR_MALFORMED', 'empty input'],
    ['1901', 'PROTO_CBOR_MALFORMED', 'a truncated argument'],
    ['6261', 'PROTO_CBOR_MALFORMED', 'a truncated text string'],
    ['43aabb', 'PROTO_CBOR_MALFORMED', 'a truncated byte string'],
    ['8201', 'PROTO_CBOR_MALFORMED', 'a truncated array'],
    ['0102', 'PROTO_CBOR_MALFORMED', 'trailing bytes'],
    ['820102ff', 'PROTO_CBOR_MALFORMED', 'a trailing break'],
    ['61ff', 'PROTO_CBOR_MALFORMED', 'text that is not UTF-8'],
    ['62c328', 'PROTO_CBOR_MALFORMED', 'an invalid UTF-8 continuation'],
    ['62c0af', 'PROTO_CBOR_MALFORMED', 'overlong UTF-8'],
    ['63eda080', 'PROTO_CBOR_MALFORMED', 'a UTF-8 encoded surrogate'],
    ['1c', 'PROTO_CBOR_MALFORMED', 'reserved additional information 28'],
    ['3d', 'PROTO_CBOR_MALFORMED', 'reserved additional information 29 (negative)'],
    ['5e', 'PROTO_CBOR_MALFORMED', 'reserved additional information 30 (bytes)'],
    ['7c', 'PROTO_CBOR_MALFORMED', 'reserved additional information 28 (text)'],
    ['9d', 'PROTO_CBOR_MALFORMED', 'reserved additional information 29 (array)'],
    ['bc', 'PROTO_CBOR_MALFORMED', 'reserved additional information 28 (map)'],
    ['dd', 'PROTO_CBOR_MALFORMED', 'reserved additional information 29 (tag)'],
    ['fe', 'PROTO_CBOR_MALFORMED', 'reserved additional information 30 (simple)'],
    ['1f', 'PROTO_CBOR_MALFORMED', 'additional information 31 on an unsigned integer'],
    ['99ffff01', 'PROTO_CBOR_MALFORMED', 'an array longer than the input'],
    [
      '5b001fffffffffffff',
      'PROTO_CBOR_MALFORMED',
      'a byte string of 2^53 − 1 bytes declared, none given',
    ],
  ];

  it.each(cases)('%s → %s (%s)', (hex, code) => {
    expectCode(() => decodeCbor(hexBytes(hex)), code);
  });

  it('accepts arrays nested exactly 8 deep', () => {
    expect(decodeCbor(hexBytes('8181818181818180'))).toEqual([[[[[[[[]]]]]]]]);
  });

  it('refuses huge declared lengths with a code (bounded by the input before allocating)', () => {
    expect(codeOf(() => decodeCbor(hexBytes('5bffffffffffffffff')))).toMatch(/^PROTO_CBOR_/);
    expectCode(() => decodeCbor(hexBytes('9b001fffffffffffff')), 'PROTO_CBOR_MALFORMED');
    expectCode(() => decodeCbor(hexBytes('7b001fffffffffffff61')), 'PROTO_CBOR_MALFORMED');
    expectCode(() => decodeCbor(hexBytes('9a7fffffff' + '00'.repeat(100))), 'PROTO_CBOR_MALFORMED');
  });

  it('returns byte strings that do not alias the input', () => {
    const input = bytes(0x42, 1, 2);
    const out = decodeCbor(input) as Uint8Array;
    input[1] = 9;
    expect([...out]).toEqual([1, 2]);
  });

  it('keeps a leading U+FEFF in text: two encodings never decode to one value', () => {
    expect(decodeCbor(encodeCbor('\uFEFFabc'))).toBe('\uFEFFabc');
  });

  it('returns byte strings that do not alias a Node Buffer input', () => {
    const input = Buffer.from([0x42, 1, 2]);
    const out = decodeCbor(input) as Uint8Array;
    input[1] = 9;
    expect([...out]).toEqual([1, 2]);
  });

  it('refuses anything that is not a Uint8Array with a TypeError', () => {
    expect(() => decodeCbor([1] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFile,
  encodeFile,
  FILE_MESSAGE_TYPES,
  MAX_FILE_CHARS,
  MAX_READABLE_FIELDS,
  type FileMessageType,
} from '../../src/transport/index.js';
import { expectCode } from '../expect-code.js';

/** A file text from a plain object, as another program might write it. */
const file = (value: unknown) => JSON.stringify(value);

const readableFields = fc.dictionary(
  fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,20}$/)
    .filter((k) => !['offpay', 'type', 'data'].includes(k)),
  fc.oneof(fc.string({ maxLength: 50 }), fc.integer()),
  { maxKeys: 5 },
);

describe('offpay files', () => {
  it('round-trips any message type, bytes and readable fields', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FILE_MESSAGE_TYPES),
        fc.uint8Array({ minLength: 1, maxLength: 500 }),
        readableFields,
        (type, bytes, readable) => {
          const decoded = decodeFile(encodeFile(type, bytes, readable), type);
          expect(decoded.type).toBe(type);
          expect(decoded.data).toEqual(bytes);
          expect(decoded.readable).toEqual(readable);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes pretty JSON people can read: version and type first, data last, final newline', () => {
    const text = encodeFile('receipt', Uint8Array.of(1, 2, 3), { amount: '12.50 EUR', index: 12 });
    expect(text).toBe(
      '{\n  "offpay": 1,\n  "type": "receipt",\n  "amount": "12.50 EUR",\n  "index": 12,\n  "data": "AQID"\n}\n',
    );
  });

  it('refuses a readable field holding a fraction: numbers for people are whole', () => {
    expectCode(
      () => decodeFile(file({ offpay: 1, type: 'payment', amount: 12.5, data: 'AQID' })),
      'PROTO_FILE_INVALID',
    );
  });

  it('takes the message only from data, whatever the readable fields claim', () => {
    const text = file({ offpay: 1, type: 'payment', amount: 'EUR 1000000', data: 'AQID' });
    const decoded = decodeFile(text, 'payment');
    expect([...decoded.data]).toEqual([1, 2, 3]);
    expect(decoded.readable).toEqual({ amount: 'EUR 1000000' });
  });

  it('reads a file saved with a byte-order mark', () => {
    const text = '\uFEFF' + encodeFile('ledger', Uint8Array.of(9));
    expect([...decodeFile(text).data]).toEqual([9]);
  });

  it('tells the user when a file holds another kind of message', () => {
    const text = encodeFile('receipt', Uint8Array.of(1));
    expectCode(() => decodeFile(text, 'payment'), 'PROTO_FILE_WRONG_TYPE', {
      expected: 'payment',
      actual: 'receipt',
    });
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"offpay": 1, "type": "payment", "data": "AQ'],
    ['a JSON array', '[1, "payment", "AQID"]'],
    ['JSON null', 'null'],
    ['offpay 2', file({ offpay: 2, type: 'payment', data: 'AQID' })],
    ['offpay "1" as a string', file({ offpay: '1', type: 'payment', data: 'AQID' })],
    ['no offpay field', file({ type: 'payment', data: 'AQID' })],
    ['an unknown type', file({ offpay: 1, type: 'invoice', data: 'AQID' })],
    ['no data', file({ offpay: 1, type: 'payment' })],
    ['empty data', file({ offpay: 1, type: 'payment', data: '' })],
    ['standard base64 characters', file({ offpay: 1, type: 'payment', data: 'ab+/' })],
    ['padded base64', file({ offpay: 1, type: 'payment', data: 'AQ==' })],
    ['a base64url length of 1 mod 4', file({ offpay: 1, type: 'payment', data: 'AQIDB' })],
    ['non-zero trailing bits', file({ offpay: 1, type: 'payment', data: 'AR' })],
    ['data with whitespace', file({ offpay: 1, type: 'payment', data: 'AQ ID' })],
    ['data as bytes array', file({ offpay: 1, type: 'payment', data: [1, 2, 3] })],
    [
      'a readable field holding an object',
      file({ offpay: 1, type: 'payment', data: 'AQID', note: {} }),
    ],
    ['a readable field holding true', file({ offpay: 1, type: 'payment', data: 'AQID', ok: true })],
    ['a __proto__ field', '{"offpay": 1, "type": "payment", "data": "AQID", "__proto__": "x"}'],
    ['a huge number', '{"offpay": 1, "type": "payment", "data": "AQID", "n": 1e999}'],
    [
      'an over-long readable value',
      file({ offpay: 1, type: 'payment', data: 'AQID', note: 'x'.repeat(1025) }),
    ],
  ])('refuses a file with %s', (_, text) => {
    expectCode(() => decodeFile(text), 'PROTO_FILE_INVALID');
  });

  it('refuses more readable fields than allowed', () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_READABLE_FIELDS + 1 }, (_, i) => [`f${i}`, i]),
    );
    expectCode(
      () => decodeFile(file({ offpay: 1, type: 'payment', data: 'AQID', ...many })),
      'PROTO_FILE_INVALID',
    );
    expect(() => encodeFile('payment', Uint8Array.of(1), many)).toThrow(RangeError);
  });

  it('refuses a file over MAX_FILE_CHARS before parsing it', () => {
    const text = ' '.repeat(MAX_FILE_CHARS + 1);
    expectCode(() => decodeFile(text), 'PROTO_TOO_LARGE', {
      limit: MAX_FILE_CHARS,
      actual: MAX_FILE_CHARS + 1,
    });
  });

  it('refuses to write a file over MAX_FILE_CHARS', () => {
    const bytes = new Uint8Array(Math.ceil((MAX_FILE_CHARS * 3) / 4) + 1);
    expectCode(() => encodeFile('backup', bytes), 'PROTO_TOO_LARGE', { limit: MAX_FILE_CHARS });
  });

  it('refuses readable fields that would shadow or break the file', () => {
    for (const key of ['data', 'type', 'offpay', '__proto__', 'two words', '']) {
      expect(() => encodeFile('payment', Uint8Array.of(1), { [key]: 'x' })).toThrow(RangeError);
    }
    expect(() => encodeFile('payment', Uint8Array.of(1), { n: Number.NaN })).toThrow(RangeError);
  });

  it('refuses to write an empty message or an unknown type', () => {
    expect(() => encodeFile('payment', new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFile('invoice' as FileMessageType, Uint8Array.of(1))).toThrow(RangeError);
  });
});

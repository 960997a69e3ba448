/**
 * An offpay file already parsed from JSON (an HTTP body): the rules and codes of decodeFile
 * (docs/protocol.md §13.1), so the bank's file form answers with the PROTO_FILE_* codes.
 */
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeFileValue, encodeFile } from '../../src/transport/index.js';
import { expectCode } from '../expect-code.js';

const bytes = Uint8Array.of(0x83, 1, 2, 3);
const text = encodeFile('settlement-batch', bytes, { entries: 1 });

describe('a parsed offpay file', () => {
  it('gives what decodeFile gives for the same text', () => {
    expect(decodeFileValue(JSON.parse(text), 'settlement-batch')).toEqual(
      decodeFile(text, 'settlement-batch'),
    );
  });

  it('of another type is PROTO_FILE_WRONG_TYPE naming both', () => {
    const payment = JSON.parse(encodeFile('payment', bytes)) as unknown;
    expectCode(() => decodeFileValue(payment, 'settlement-batch'), 'PROTO_FILE_WRONG_TYPE', {
      expected: 'settlement-batch',
      actual: 'payment',
    });
  });

  it.each([
    ['not an object', [1, 2]],
    ['null', null],
    ['version 2', { offpay: 2, type: 'settlement-batch', data: 'gwECAw' }],
    ['unknown type', { offpay: 1, type: 'batch', data: 'gwECAw' }],
    ['padded data', { offpay: 1, type: 'settlement-batch', data: 'gwECAw==' }],
    ['non-canonical trailing bits', { offpay: 1, type: 'settlement-batch', data: 'gwECAx' }],
    ['a readable float', { offpay: 1, type: 'settlement-batch', data: 'gwECAw', n: 1.5 }],
    ['no data', { offpay: 1, type: 'settlement-batch' }],
  ])('that is %s is PROTO_FILE_INVALID', (_name, value) => {
    expectCode(() => decodeFileValue(value, 'settlement-batch'), 'PROTO_FILE_INVALID');
  });
});

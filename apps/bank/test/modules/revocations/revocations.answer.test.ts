/**
 * The kept full-list answer (revocations.answer.ts) without a bank: a new list (another seq, or
 * the same seq signed under another key) is written again; the same list only changes bankTime.
 */
import { toBase64Url } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { fullListSerialiser } from '../../../src/modules/revocations/revocations.answer.js';
import type { RevocationListView } from '../../../src/modules/revocations/revocations.list.js';

const view = (seq: number, serials: number[], signed: Uint8Array): RevocationListView => ({
  seq,
  issuedAt: new Date('2030-01-01T00:00:00.000Z'),
  serials,
  signed,
  deltasFrom: 0,
});

const T1 = '2030-01-01T00:00:01.000Z';
const T2 = '2030-01-01T00:00:02.000Z';

describe('fullListSerialiser', () => {
  it('keeps the list and writes each bankTime', () => {
    const answer = fullListSerialiser();
    const list = view(3, [5, 9], new Uint8Array([1, 2, 3]));
    const first = answer(list, T1);
    expect(JSON.parse(first)).toEqual({
      kind: 'list',
      seq: 3,
      issuedAt: '2030-01-01T00:00:00.000Z',
      serials: ['5', '9'],
      signed: toBase64Url(new Uint8Array([1, 2, 3])),
      bankTime: T1,
    });
    expect(answer(list, T2)).toBe(first.replace(T1, T2));
  });

  it('writes the answer again for the next seq', () => {
    const answer = fullListSerialiser();
    answer(view(3, [5], new Uint8Array([1])), T1);
    expect(JSON.parse(answer(view(4, [5, 7], new Uint8Array([2])), T1))).toMatchObject({
      seq: 4,
      serials: ['5', '7'],
    });
  });

  it('writes the answer again for the same seq signed by another key', () => {
    const answer = fullListSerialiser();
    answer(view(3, [5], new Uint8Array([1, 1])), T1);
    const other = new Uint8Array([2, 2]);
    expect(JSON.parse(answer(view(3, [5], other), T1))).toMatchObject({
      signed: toBase64Url(other),
    });
  });

  it('refuses a list its schema refuses, as the serializer did', () => {
    expect(() => fullListSerialiser()(view(-1, [], new Uint8Array([1])), T1)).toThrow(
      /does not fit/,
    );
  });
});

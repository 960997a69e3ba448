/**
 * The revocation delta (docs/protocol.md §11.1): round trips, the signature over exactly the signed
 * bytes, strict decoding of every field and bound, and applying a delta to the list it starts from.
 */
import { sign } from '@offpay/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyRevocationDelta,
  encodeCbor,
  encodeRevocationDelta,
  encodeRevocationList,
  LIMITS,
  SIGN_LABEL,
  signedBytes,
  signRevocationDelta,
  signRevocationList,
  verifyRevocationDelta,
  verifyRevocationList,
  type CborValue,
} from '../src/index.js';
import { expectCode, flipByte, makeBank, NOW } from './helpers.js';

const bank = makeBank();
const otherBank = makeBank();
const delta = signRevocationDelta(
  { fromSeq: 4, toSeq: 6, issuedAt: NOW, added: [40, 12], removed: [3] },
  bank.signSk,
);
const bytes = encodeRevocationDelta(delta);

/** A delta whose tbs items are `items`, correctly signed by the bank: only the rules refuse it. */
const signedBy = (items: CborValue[], signSk = bank.signSk) => {
  const tbs = encodeCbor(items);
  return encodeCbor([tbs, sign(signedBytes(SIGN_LABEL.revocationDelta, tbs), signSk)]);
};
const tbsOf = (
  f: Partial<Record<'from' | 'to' | 'at', CborValue>> & { a?: CborValue; r?: CborValue },
) => [1, delta.bankKid, f.from ?? 4, f.to ?? 6, f.at ?? NOW, f.a ?? [12, 40], f.r ?? [3]];

describe('revocation delta', () => {
  it('round-trips, sorted, under the bank key that signed it', () => {
    const back = verifyRevocationDelta(bytes, bank.keys);
    expect(back).toEqual(delta);
    expect(back).toMatchObject({
      fromSeq: 4,
      toSeq: 6,
      issuedAt: NOW,
      added: [12, 40],
      removed: [3],
    });
    expect(verifyRevocationDelta(signedBy(tbsOf({})), bank.keys).added).toEqual([12, 40]);
  });

  it('round-trips any disjoint sets (property)', () => {
    const serial = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat({ max: 10 }),
        fc.uniqueArray(serial, { maxLength: 30 }),
        fc.nat({ max: 30 }),
        (fromSeq, span, serials, cut) => {
          const added = serials.slice(0, cut);
          const removed = span === 0 ? [] : serials.slice(cut);
          const f = {
            fromSeq,
            toSeq: fromSeq + span,
            issuedAt: NOW,
            added: span ? added : [],
            removed,
          };
          const back = verifyRevocationDelta(
            encodeRevocationDelta(signRevocationDelta(f, bank.signSk)),
            bank.keys,
          );
          expect(back.added).toEqual([...f.added].sort((a, b) => a - b));
          expect(back.removed).toEqual([...removed].sort((a, b) => a - b));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is PROTO_SIGNATURE_INVALID when tampered, PROTO_UNKNOWN_ISSUER from another bank', () => {
    expectCode(
      () => verifyRevocationDelta(flipByte(bytes, bytes.length - 1), bank.keys),
      'PROTO_SIGNATURE_INVALID',
      {
        what: 'revocation delta',
      },
    );
    // A removed serial dropped after signing: the signature no longer covers the bytes.
    const tbs = encodeCbor(tbsOf({ r: [] }));
    const forged = encodeCbor([tbs, delta.signature]);
    expectCode(() => verifyRevocationDelta(forged, bank.keys), 'PROTO_SIGNATURE_INVALID');
    expectCode(() => verifyRevocationDelta(bytes, otherBank.keys), 'PROTO_UNKNOWN_ISSUER');
  });

  it('is never a revocation list, nor a list a delta (labels and shapes differ)', () => {
    const list = encodeRevocationList(
      signRevocationList({ seq: 4, issuedAt: NOW, serials: [3] }, bank.signSk),
    );
    expectCode(() => verifyRevocationDelta(list, bank.keys), 'PROTO_SCHEMA');
    expectCode(() => verifyRevocationList(bytes, bank.keys), 'PROTO_SCHEMA');
    // The same tbs signed under the list's label does not verify as a delta.
    const tbs = encodeCbor(tbsOf({}));
    const crossLabel = encodeCbor([
      tbs,
      sign(signedBytes(SIGN_LABEL.revocationList, tbs), bank.signSk),
    ]);
    expectCode(() => verifyRevocationDelta(crossLabel, bank.keys), 'PROTO_SIGNATURE_INVALID');
  });

  it.each<[string, CborValue[], string]>([
    ['unsorted added', tbsOf({ a: [40, 12] }), 'PROTO_SCHEMA'],
    ['repeated removed', tbsOf({ r: [3, 3] }), 'PROTO_SCHEMA'],
    ['serial 0', tbsOf({ a: [0] }), 'PROTO_SCHEMA'],
    ['a negative serial', tbsOf({ a: [-1] }), 'PROTO_SCHEMA'],
    ['a serial both added and removed', tbsOf({ a: [3, 12], r: [3] }), 'PROTO_SCHEMA'],
    ['toSeq before fromSeq', tbsOf({ from: 7, to: 6 }), 'PROTO_SCHEMA'],
    ['a change from a list to itself', tbsOf({ from: 6, to: 6 }), 'PROTO_SCHEMA'],
    ['a text seq', tbsOf({ from: '4' }), 'PROTO_SCHEMA'],
    ['issuedAt past 2^32 − 1', tbsOf({ at: 2 ** 32 }), 'PROTO_SCHEMA'],
    ['added not an array', tbsOf({ a: 12 }), 'PROTO_SCHEMA'],
    ['a missing field', tbsOf({}).slice(0, 6), 'PROTO_SCHEMA'],
    ['an extra field', [...tbsOf({}), 0], 'PROTO_SCHEMA'],
    ['version 2', [2, ...tbsOf({}).slice(1)], 'PROTO_VERSION_UNSUPPORTED'],
  ])('refuses %s even when the bank signed it', (_name, items, code) => {
    expectCode(() => verifyRevocationDelta(signedBy(items), bank.keys), code);
  });

  it('refuses more serials than the bound before reading them, and oversized bytes before decoding', () => {
    const many = Array.from({ length: LIMITS.revocationDeltaEntries / 2 + 1 }, (_, i) => i + 1);
    const tooMany = signedBy(tbsOf({ a: many, r: many.map((s) => s + 1_000_000) }));
    expectCode(() => verifyRevocationDelta(tooMany, bank.keys), 'PROTO_SCHEMA', {
      what: 'revocation delta serials',
    });
    expectCode(
      () => verifyRevocationDelta(new Uint8Array(LIMITS.revocationDeltaBytes + 1), bank.keys),
      'PROTO_TOO_LARGE',
    );
    expect(() =>
      signRevocationDelta(
        { fromSeq: 0, toSeq: 1, issuedAt: NOW, added: [5], removed: [5] },
        bank.signSk,
      ),
    ).toThrow(expect.objectContaining({ code: 'PROTO_SCHEMA' }));
  });

  it.each<[string, Uint8Array]>([
    ['empty input', new Uint8Array()],
    ['truncated', bytes.subarray(0, bytes.length - 5)],
    ['not an array', encodeCbor(7)],
    ['a missing signature', encodeCbor([delta.tbs])],
    ['a short signature', encodeCbor([delta.tbs, new Uint8Array(63)])],
    ['trailing bytes', new Uint8Array([...bytes, 0])],
  ])('refuses malformed input: %s', (_name, input) => {
    expect(() => verifyRevocationDelta(input, bank.keys)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^PROTO_/) }),
    );
  });

  it('applies to the list it starts from, and only to that one', () => {
    expect(applyRevocationDelta({ seq: 4, serials: [3, 7] }, delta)).toEqual([7, 12, 40]);
    expect(applyRevocationDelta({ seq: 5, serials: [3, 7] }, delta)).toBeUndefined();
  });
});

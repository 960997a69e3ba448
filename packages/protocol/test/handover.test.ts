/**
 * Ledger handovers (handover.ts, docs/protocol.md §9.7): signed by the new till over the old
 * till's kid, its own kid and the head the old ledger continues from; any change is refused.
 */
import { generateSecretKey, getPublicKey, kid, randomBytes } from '@offpay/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  decodeLedgerHandover,
  emptyLedgerHead,
  encodeCbor,
  encodeLedgerHandover,
  LIMITS,
  signLedgerHandover,
  verifyLedgerHandover,
  type CborValue,
} from '../src/index.js';
import { expectCode } from './expect-code.js';

const oldKey = generateSecretKey();
const newKey = generateSecretKey();
const input = {
  fromPayeeKid: kid(getPublicKey(oldKey)),
  toPayeeKid: kid(getPublicKey(newKey)),
  from: { nextIndex: 7, head: randomBytes(32) },
};

describe('ledger handover', () => {
  it('round-trips and verifies under the new till key only', () => {
    const signed = signLedgerHandover(input, newKey);
    const decoded = decodeLedgerHandover(encodeLedgerHandover(signed));
    expect(decoded).toEqual(signed);
    expect(decoded.from).toEqual(input.from);
    verifyLedgerHandover(decoded, getPublicKey(newKey));
    expectCode(
      () => verifyLedgerHandover(decoded, getPublicKey(oldKey)),
      'PROTO_SIGNATURE_INVALID',
    );
  });

  it('signed by the stolen key it names: refused under the new till key', () => {
    const forged = signLedgerHandover(input, oldKey);
    expectCode(() => verifyLedgerHandover(forged, getPublicKey(newKey)), 'PROTO_SIGNATURE_INVALID');
  });

  it('any changed byte of the tbs is refused (decoding or signature)', () => {
    const bytes = encodeLedgerHandover(signLedgerHandover(input, newKey));
    const [tbs, signature] = decodeCbor(bytes) as [Uint8Array, Uint8Array];
    fc.assert(
      fc.property(fc.nat(tbs.length - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const t = Uint8Array.from(tbs);
        t[at] = t[at]! ^ flip;
        let ok = false;
        try {
          verifyLedgerHandover(
            decodeLedgerHandover(encodeCbor([t, signature])),
            getPublicKey(newKey),
          );
          ok = true;
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^PROTO_/);
        }
        expect(ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses an oversized input, a wrong arity, a wrong kid length and another version', () => {
    expectCode(
      () => decodeLedgerHandover(new Uint8Array(LIMITS.ledgerHandoverBytes + 1)),
      'PROTO_TOO_LARGE',
    );
    const sig = new Uint8Array(64);
    const wrap = (items: CborValue[]) => encodeCbor([encodeCbor(items), sig]);
    const head = emptyLedgerHead(1).head;
    expectCode(
      () => decodeLedgerHandover(wrap([1, input.fromPayeeKid, input.toPayeeKid, 0])),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => decodeLedgerHandover(wrap([1, new Uint8Array(7), input.toPayeeKid, 0, head])),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => decodeLedgerHandover(wrap([2, input.fromPayeeKid, input.toPayeeKid, 0, head])),
      'PROTO_VERSION_UNSUPPORTED',
    );
  });
});

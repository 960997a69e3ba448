/**
 * The payment path on WebCrypto (Node's `crypto.subtle` is the browsers' API): `sealPaymentAsync`
 * / `openPaymentAsync` interoperate with the noble `sealPayment` / `openPayment` and refuse with the
 * same codes, and the receiver's verdict through `withNativeVerify` equals its noble verdict for
 * valid, badly signed, high-S and duplicate payments.
 */
import { hasNativeP256, malleate, withNativeVerify } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  encodeCbor,
  encodePayment,
  LIMITS,
  openPayment,
  openPaymentAsync,
  sealPayment,
  sealPaymentAsync,
  verifyOpenedPayment,
  type CborValue,
} from '../src/index.js';
import {
  codeOf,
  flipByte,
  makeBank,
  makePayee,
  makePayer,
  MemoryReceiver,
  pay,
} from './helpers.js';

const bank = makeBank();
const otherBank = makeBank();
const payee = makePayee(bank);
const otherPayee = makePayee(bank);

const asyncCode = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('sealPaymentAsync / openPaymentAsync', () => {
  it('run on WebCrypto here', async () => {
    expect(await hasNativeP256()).toBe(true);
  });

  it('interoperate with sealPayment / openPayment both ways', async () => {
    const bytes = encodePayment(pay(makePayer(bank), payee));
    const native = await sealPaymentAsync(bytes, payee.cert.kemKey, payee.kid);
    expect(openPayment(native, payee.kemSk, payee.kid)).toEqual(bytes);
    const noble = sealPayment(bytes, payee.cert.kemKey, payee.kid);
    expect(await openPaymentAsync(noble, payee.kemSk, payee.kid)).toEqual(bytes);
    expect(native.length).toBe(noble.length);
  });

  it('refuse as openPayment does: another payee, a changed byte, too many bytes', async () => {
    const bytes = encodePayment(pay(makePayer(bank), payee));
    const sealed = await sealPaymentAsync(bytes, payee.cert.kemKey, payee.kid);
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [sealed, otherPayee.kemSk, otherPayee.kid],
      [sealed, payee.kemSk, otherPayee.kid],
      [flipByte(sealed, 100), payee.kemSk, payee.kid],
      [flipByte(sealed, 10), payee.kemSk, payee.kid],
      [new Uint8Array(LIMITS.sealedPaymentAcceptBytes + 1), payee.kemSk, payee.kid],
    ];
    for (const [s, sk, kid] of cases) {
      const expected = codeOf(() => openPayment(s, sk, kid));
      expect(expected).toMatch(/^PROTO_(SEAL_OPEN_FAILED|TOO_LARGE)$/);
      expect(await asyncCode(openPaymentAsync(s, sk, kid))).toBe(expected);
    }
  });
});

describe('the receiver verdict with WebCrypto verification', () => {
  const receiver = new MemoryReceiver(bank, payee);
  const nativeVerdict = (bytes: Uint8Array) =>
    asyncCode(
      withNativeVerify((verifier) =>
        verifyOpenedPayment(bytes, { ...receiver.context(), verifier }),
      ),
    );
  const nobleVerdict = (bytes: Uint8Array) =>
    codeOf(() => verifyOpenedPayment(bytes, receiver.context()));

  /** The payment's wire bytes with its signature (index 1) replaced. */
  const withSignature = (bytes: Uint8Array, signature: Uint8Array) => {
    const value = decodeCbor(bytes) as CborValue[];
    value[1] = signature;
    return encodeCbor(value);
  };

  it('equals the noble verdict for valid, high-S, badly signed, foreign-bank and duplicate payments', async () => {
    const p = pay(makePayer(bank), payee);
    const good = encodePayment(p);
    const foreign = encodePayment(pay(makePayer(otherBank), payee));
    const cases = {
      good,
      highS: withSignature(good, malleate(p.signature)),
      badSignature: withSignature(good, flipByte(p.signature, 5)),
      foreign,
    };
    const verdicts: Record<string, [string | undefined, string | undefined]> = {};
    for (const [name, bytes] of Object.entries(cases)) {
      verdicts[name] = [await nativeVerdict(bytes), nobleVerdict(bytes)];
    }
    expect(verdicts).toEqual({
      good: [undefined, undefined],
      highS: [undefined, undefined],
      badSignature: ['PROTO_SIGNATURE_INVALID', 'PROTO_SIGNATURE_INVALID'],
      foreign: [nobleVerdict(foreign), nobleVerdict(foreign)],
    });
    expect(nobleVerdict(foreign)).toMatch(/^PROTO_/);
    receiver.accept(sealPayment(good, payee.cert.kemKey, payee.kid));
    expect([await nativeVerdict(good), nobleVerdict(good)]).toEqual([
      'PROTO_PAYMENT_DUPLICATE',
      'PROTO_PAYMENT_DUPLICATE',
    ]);
  });
});

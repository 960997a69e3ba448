/**
 * The receiver's offline verdict on a sealed payment (receiver.ts): what is accepted, and each
 * refusal it can give, in the order of docs/protocol.md §6.
 */
import { malleate, isLowS, toHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  decodePayment,
  encodeCbor,
  encodePayment,
  LIMITS,
  openPayment,
  sealPayment,
  type CborValue,
  type Payment,
  verifyOpenedPayment,
} from '../src/index.js';
import {
  DAY,
  expectCode,
  flipByte,
  makeBank,
  makePayee,
  makePayer,
  MemoryReceiver,
  next,
  NOW,
  pay,
  random,
  REQUEST_ID,
  sealTo,
} from './helpers.js';

const bank = makeBank();
const otherBank = makeBank();
const payee = makePayee(bank);
const otherPayee = makePayee(bank);

/** The payment's wire bytes with its payer signature replaced by its malleated twin (n − s). */
function withMalleatedSignature(p: Payment): Uint8Array {
  const value = decodeCbor(encodePayment(p)) as CborValue[];
  value[1] = malleate(p.signature);
  return encodeCbor(value);
}

describe('a valid sealed payment', () => {
  it('is accepted, returning the payment and the exact bytes to keep in the ledger', () => {
    const payer = makePayer(bank);
    const p = pay(payer, payee);
    const accepted = new MemoryReceiver(bank, payee).verify(sealTo(payee, p));
    expect(accepted.payment).toEqual(p);
    expect(accepted.bytes).toEqual(encodePayment(p));
  });

  it('is accepted with a high-S payer signature (as WebCrypto makes half the time)', () => {
    const p = pay(makePayer(bank), payee);
    const highS = withMalleatedSignature(p);
    expect(isLowS(p.signature)).toBe(true);
    const accepted = new MemoryReceiver(bank, payee).verify(sealTo(payee, highS));
    expect(isLowS(accepted.payment.signature)).toBe(false);
    expect(accepted.payment.paymentId).toEqual(p.paymentId);
  });

  it('answering the open request is accepted until the request expires, then PROTO_REQUEST_EXPIRED', () => {
    const sealed = sealTo(payee, pay(makePayer(bank), payee, { amount: 750 }));
    const receiver = new MemoryReceiver(bank, payee, NOW, {
      requestId: REQUEST_ID,
      amount: 750,
      expiresAt: NOW + 60,
    });
    receiver.now = NOW + 60;
    expect(() => receiver.verify(sealed)).not.toThrow();
    receiver.now = NOW + 61;
    expectCode(() => receiver.verify(sealed), 'PROTO_REQUEST_EXPIRED', { expiresAt: NOW + 60 });
  });
});

describe('a payment the caller opened already', () => {
  it('gets the same verdict from verifyOpenedPayment, a duplicate included', () => {
    const payer = makePayer(bank);
    const receiver = new MemoryReceiver(bank, payee);
    const sealed = sealTo(payee, pay(payer, payee));
    const opened = openPayment(sealed, payee.kemSk, payee.kid);
    const accepted = verifyOpenedPayment(opened, receiver.context());
    expect(accepted).toEqual(receiver.verify(sealed));
    receiver.accept(sealed);
    expectCode(() => verifyOpenedPayment(opened, receiver.context()), 'PROTO_PAYMENT_DUPLICATE');
  });

  it('takes the payment the caller decoded already, with the same verdicts', () => {
    const payer = makePayer(bank);
    const receiver = new MemoryReceiver(bank, payee);
    const sealed = sealTo(payee, pay(payer, payee));
    const opened = openPayment(sealed, payee.kemSk, payee.kid);
    const decoded = decodePayment(opened);
    const accepted = verifyOpenedPayment(opened, receiver.context(), decoded);
    expect(accepted.payment).toBe(decoded); // not decoded again
    expect(accepted).toEqual(verifyOpenedPayment(opened, receiver.context()));
    receiver.accept(sealed);
    expectCode(
      () => verifyOpenedPayment(opened, receiver.context(), decoded),
      'PROTO_PAYMENT_DUPLICATE',
    );
  });
});

describe('a sealed payment the receiver cannot open', () => {
  const p = pay(makePayer(bank), payee);
  const receiver = new MemoryReceiver(bank, payee);

  it('sealed to another payee’s KEM key is PROTO_SEAL_OPEN_FAILED', () => {
    const sealed = sealPayment(encodePayment(p), otherPayee.cert.kemKey, payee.kid);
    expectCode(() => receiver.verify(sealed), 'PROTO_SEAL_OPEN_FAILED');
  });

  it('sealed to my key but for another payee kid (HPKE info) is PROTO_SEAL_OPEN_FAILED', () => {
    const sealed = sealPayment(encodePayment(p), payee.cert.kemKey, otherPayee.kid);
    expectCode(() => receiver.verify(sealed), 'PROTO_SEAL_OPEN_FAILED');
  });

  it('with one byte changed, cut short or empty is PROTO_SEAL_OPEN_FAILED', () => {
    const sealed = sealTo(payee, p);
    expectCode(() => receiver.verify(flipByte(sealed, 100)), 'PROTO_SEAL_OPEN_FAILED');
    expectCode(
      () => receiver.verify(sealed.subarray(0, sealed.length - 1)),
      'PROTO_SEAL_OPEN_FAILED',
    );
    expectCode(() => receiver.verify(new Uint8Array(0)), 'PROTO_SEAL_OPEN_FAILED');
  });

  it('larger than a payment can be is PROTO_TOO_LARGE before any decryption', () => {
    const max = LIMITS.sealedPaymentAcceptBytes;
    expect(max).toBe(LIMITS.paymentBytes + 81);
    expectCode(
      () => openPayment(new Uint8Array(max + 1), payee.kemSk, payee.kid),
      'PROTO_TOO_LARGE',
      { limit: max },
    );
  });

  it('that opens to something else than a payment is refused with a decoding code', () => {
    expectCode(() => receiver.verify(sealTo(payee, encodeCbor([1, 2, 3]))), 'PROTO_SCHEMA');
    expectCode(() => receiver.verify(sealTo(payee, Uint8Array.of(0xa0))), 'PROTO_CBOR_FORBIDDEN');
  });
});

describe('signatures', () => {
  const receiver = new MemoryReceiver(bank, payee);

  it('a payer certificate from a bank key that is not pinned is PROTO_UNKNOWN_ISSUER', () => {
    const foreign = makePayer(otherBank);
    expectCode(() => receiver.verify(sealTo(payee, pay(foreign, payee))), 'PROTO_UNKNOWN_ISSUER');
  });

  it('a payment signed by a key its certificate does not certify is PROTO_SIGNATURE_INVALID', () => {
    const payer = makePayer(bank);
    const thief = makePayer(bank);
    const p = pay({ sk: thief.sk, cert: payer.cert }, payee);
    expectCode(() => receiver.verify(sealTo(payee, p)), 'PROTO_SIGNATURE_INVALID', {
      what: 'payment',
    });
  });

  it('a payer certificate with a forged bank signature is PROTO_SIGNATURE_INVALID', () => {
    const payer = makePayer(bank);
    const forged = {
      ...payer,
      cert: { ...payer.cert, signature: flipByte(payer.cert.signature, 40) },
    };
    expectCode(
      () => receiver.verify(sealTo(payee, pay(forged, payee))),
      'PROTO_SIGNATURE_INVALID',
      {
        what: 'payer certificate',
      },
    );
  });
});

describe('duplicates', () => {
  it('the same payment twice is PROTO_PAYMENT_DUPLICATE naming the ledger index, even sealed anew', () => {
    const receiver = new MemoryReceiver(bank, payee);
    const payer = makePayer(bank);
    const first = pay(payer, payee);
    receiver.accept(sealTo(payee, first));
    receiver.accept(sealTo(payee, next(payer, payee, first)));
    expectCode(() => receiver.verify(sealTo(payee, first)), 'PROTO_PAYMENT_DUPLICATE', {
      paymentId: toHex(first.paymentId),
      index: 0,
    });
  });

  it('the same payment with its signature malleated is a duplicate (same paymentId), never a fraud', () => {
    const receiver = new MemoryReceiver(bank, payee);
    const p = pay(makePayer(bank), payee);
    receiver.accept(sealTo(payee, p));
    expectCode(
      () => receiver.verify(sealTo(payee, withMalleatedSignature(p))),
      'PROTO_PAYMENT_DUPLICATE',
      {
        paymentId: toHex(p.paymentId),
      },
    );
  });

  it('a duplicate is reported before the rules: a payer revoked since is still a duplicate', () => {
    const receiver = new MemoryReceiver(bank, payee);
    const payer = makePayer(bank);
    const sealed = sealTo(payee, pay(payer, payee));
    receiver.accept(sealed);
    receiver.revoked.add(payer.cert.serial);
    receiver.now = payer.cert.expiresAt + DAY;
    expectCode(() => receiver.verify(sealed), 'PROTO_PAYMENT_DUPLICATE');
  });
});

describe('rules through the receiver', () => {
  it('a revoked payer is PROTO_CERT_REVOKED; an expired one, by the device clock, PROTO_CERT_EXPIRED', () => {
    const payer = makePayer(bank);
    const sealed = sealTo(payee, pay(payer, payee));
    const receiver = new MemoryReceiver(bank, payee);
    receiver.revoked.add(payer.cert.serial);
    expectCode(() => receiver.verify(sealed), 'PROTO_CERT_REVOKED');
    receiver.revoked.clear();
    receiver.now = payer.cert.expiresAt + 1;
    expectCode(() => receiver.verify(sealed), 'PROTO_CERT_EXPIRED');
  });

  it('a payment naming another payee, sealed to me, is PROTO_PAYMENT_WRONG_PAYEE', () => {
    const sealed = sealTo(payee, pay(makePayer(bank), otherPayee));
    expectCode(() => new MemoryReceiver(bank, payee).verify(sealed), 'PROTO_PAYMENT_WRONG_PAYEE');
  });

  it('a JPY payer paying a EUR receiver is PROTO_CURRENCY_MISMATCH', () => {
    const sealed = sealTo(payee, pay(makePayer(bank, { currency: 'JPY' }), payee));
    expectCode(() => new MemoryReceiver(bank, payee).verify(sealed), 'PROTO_CURRENCY_MISMATCH');
  });

  it('a payment dated in the future or breaking its chain alone is refused with the rule’s code', () => {
    const payer = makePayer(bank);
    const receiver = new MemoryReceiver(bank, payee);
    expectCode(
      () => receiver.verify(sealTo(payee, pay(payer, payee, { createdAt: NOW + 3600 }))),
      'PROTO_PAYMENT_FROM_FUTURE',
    );
    expectCode(
      () => receiver.verify(sealTo(payee, pay(payer, payee, { prev: random(32) }))),
      'PROTO_PAYMENT_BAD_PREV',
    );
    expectCode(
      () => receiver.verify(sealTo(payee, pay(payer, payee, { spent: 1 }))),
      'PROTO_PAYMENT_BAD_SPENT',
    );
    expectCode(
      () => receiver.verify(sealTo(payee, pay(payer, payee, { amount: 0, spent: 0 }))),
      'PROTO_AMOUNT_INVALID',
    );
    const over = pay(payer, payee, { amount: payer.cert.limit + 1 });
    expectCode(() => receiver.verify(sealTo(payee, over)), 'PROTO_PAYMENT_OVER_LIMIT');
  });
});

describe('the open request', () => {
  const request = { requestId: REQUEST_ID, amount: 500, expiresAt: NOW + 60 };

  it('a payment for another request id or another amount is PROTO_REQUEST_MISMATCH', () => {
    const receiver = new MemoryReceiver(bank, payee, NOW, request);
    const payer = makePayer(bank);
    expectCode(
      () => receiver.verify(sealTo(payee, pay(payer, payee, { requestId: random(16) }))),
      'PROTO_REQUEST_MISMATCH',
    );
    expectCode(
      () => receiver.verify(sealTo(payee, pay(payer, payee, { amount: 499 }))),
      'PROTO_REQUEST_MISMATCH',
      {
        expectedAmount: 500,
        amount: 499,
      },
    );
  });

  it('without an open request, any amount is accepted (the caller’s policy)', () => {
    const receiver = new MemoryReceiver(bank, payee);
    expect(() =>
      receiver.verify(sealTo(payee, pay(makePayer(bank), payee, { amount: 1 }))),
    ).not.toThrow();
  });
});

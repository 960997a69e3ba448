/**
 * The decoding order of docs/protocol.md §1 "Check order" for messages that nest another: the
 * outer tbs's version first, then the envelope, then the outer fields, then the nested
 * certificate (by the same steps), then the fields that tie the two together. Each case breaks
 * two things at once and expects the code of the one the order reaches first.
 */
import { describe, expect, it } from 'vitest';
import {
  certificateValue,
  decodeCbor,
  decodePayment,
  decodePaymentRequest,
  encodeCbor,
  encodePayment,
  encodePaymentRequest,
  readSealedBatch,
  signPaymentRequest,
  type CborValue,
} from '../src/index.js';
import {
  codeOf,
  expectCode,
  makeBank,
  makePayee,
  makePayer,
  NOW,
  pay,
  REQUEST_ID,
  rewriteEnvelope,
  rewriteTbs,
} from './helpers.js';

const bank = makeBank();
const payer = makePayer(bank);
const payee = makePayee(bank);
const payment = encodePayment(pay(payer, payee));
const payeeCert = certificateValue(payee.cert);

/** The payment's nested certificate `[tbs, signature]` with its tbs items changed. */
const withCertTbs = (change: (items: CborValue[]) => CborValue[]) =>
  rewriteEnvelope(payment, ([tbs, sig, cert]) => {
    const [certTbs, certSig] = cert as [Uint8Array, Uint8Array];
    return [tbs!, sig!, [encodeCbor(change(decodeCbor(certTbs) as CborValue[])), certSig]];
  });

describe('a payment is decoded outer version first, then its fields, then its certificate', () => {
  it('of version 2 carrying a payee certificate is unsupported, not the wrong certificate type', () => {
    const v2 = rewriteTbs(payment, ([, ...rest]) => [2, ...rest]);
    expectCode(
      () => decodePayment(rewriteEnvelope(v2, ([tbs, sig]) => [tbs!, sig!, payeeCert])),
      'PROTO_VERSION_UNSUPPORTED',
      { what: 'payment' },
    );
  });

  it('of version 1 carrying a version-2 certificate names the certificate', () => {
    expectCode(
      () => decodePayment(withCertTbs(([, ...rest]) => [2, ...rest])),
      'PROTO_VERSION_UNSUPPORTED',
      { what: 'payer certificate' },
    );
  });

  it('with a bad field and a payee certificate reports the field: its own fields come first', () => {
    const badKid = rewriteTbs(payment, (items) => items.map((v, i) => (i === 6 ? 'kid' : v)));
    const both = rewriteEnvelope(badKid, ([tbs, sig]) => [tbs!, sig!, payeeCert]);
    expectCode(() => decodePayment(both), 'PROTO_SCHEMA', { what: 'payment payeeKid' });
    expectCode(
      () => decodePayment(rewriteEnvelope(payment, ([tbs, sig]) => [tbs!, sig!, payeeCert])),
      'PROTO_CERT_WRONG_TYPE',
    );
  });

  it('whose certificate names another serial is PROTO_SCHEMA only once both decoded', () => {
    const other = rewriteTbs(payment, (items) => items.map((v, i) => (i === 1 ? 7 : v)));
    expectCode(() => decodePayment(other), 'PROTO_SCHEMA', { what: 'payment serial' });
    const alsoV2Cert = rewriteEnvelope(other, ([tbs, sig, cert]) => {
      const [certTbs, certSig] = cert as [Uint8Array, Uint8Array];
      const items = decodeCbor(certTbs) as CborValue[];
      items[0] = 2;
      return [tbs!, sig!, [encodeCbor(items), certSig]];
    });
    expectCode(() => decodePayment(alsoV2Cert), 'PROTO_VERSION_UNSUPPORTED', {
      what: 'payer certificate',
    });
  });

  it('whose nested certificate tbs passes 512 bytes is PROTO_TOO_LARGE naming the limit', () => {
    const big = rewriteEnvelope(payment, ([tbs, sig, cert]) => {
      const [, certSig] = cert as [Uint8Array, Uint8Array];
      return [tbs!, sig!, [new Uint8Array(513), certSig]];
    });
    expectCode(() => decodePayment(big), 'PROTO_TOO_LARGE', {
      what: 'payer certificate',
      limit: 512,
      actual: 513,
    });
  });
});

describe('a payment request is decoded in the same order', () => {
  const request = encodePaymentRequest(
    signPaymentRequest(
      { amount: 5, requestId: REQUEST_ID, expiresAt: NOW, memo: '' },
      payee.cert,
      payee.signSk,
    ),
  );

  it('of version 2 carrying a payer certificate is unsupported', () => {
    const v2 = rewriteTbs(request, ([, ...rest]) => [2, ...rest]);
    const withPayer = rewriteEnvelope(v2, ([tbs, sig]) => [
      tbs!,
      sig!,
      certificateValue(payer.cert),
    ]);
    expectCode(() => decodePaymentRequest(withPayer), 'PROTO_VERSION_UNSUPPORTED');
  });
});

describe('messages whose first field is the version', () => {
  it('a sealed batch wire form whose first item is not an unsigned integer is PROTO_SCHEMA', () => {
    const wire = encodeCbor([1, new Uint8Array(8), new Uint8Array(100)]);
    expect(readSealedBatch(wire).kemKid).toHaveLength(8);
    expect(codeOf(() => readSealedBatch(encodeCbor(['1', new Uint8Array(8)])))).toBe(
      'PROTO_SCHEMA',
    );
    expectCode(() => readSealedBatch(encodeCbor([])), 'PROTO_SCHEMA');
    expectCode(() => readSealedBatch(encodeCbor([-1, new Uint8Array(8)])), 'PROTO_SCHEMA');
    expectCode(
      () => readSealedBatch(encodeCbor([3, new Uint8Array(8)])),
      'PROTO_VERSION_UNSUPPORTED',
    );
  });
});

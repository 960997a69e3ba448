/**
 * Decoders are strict (DESIGN.md §4): unknown versions, wrong arity or types, trailing bytes and
 * oversize input are refused with their exact codes, for every message; certificates keep their kind.
 */
import { concatBytes, fromHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeCbor,
  type CborValue,
  decodePayeeCertificate,
  decodePayerCertificate,
  decodePayment,
  decodePaymentRequest,
  decodeReceipt,
  decodeSettlementBatch,
  decodeSettlementResult,
  emptyLedgerHead,
  encodeCbor,
  encodeCertificate,
  encodeFraudProof,
  encodeKeyAnnouncement,
  encodePayment,
  encodePaymentRequest,
  encodeReceipt,
  encodeRevocationList,
  encodeSettlementBatch,
  encodeSettlementResult,
  LIMITS,
  makeFraudProof,
  signKeyAnnouncement,
  signPaymentRequest,
  signReceipt,
  signRevocationList,
  signSettlementBatch,
  signSettlementResult,
  verifyFraudProof,
  verifyKeyAnnouncement,
  verifyRevocationList,
} from '../src/index.js';
import {
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
const payment = pay(payer, payee);
const request = signPaymentRequest(
  { amount: 500, requestId: REQUEST_ID, expiresAt: NOW + 60, memo: 'table 4' },
  payee.cert,
  payee.signSk,
);
const receipt = signReceipt(
  {
    payeeKid: payee.kid,
    paymentId: payment.paymentId,
    index: 0,
    entryHash: new Uint8Array(32),
    acceptedAt: NOW,
  },
  payee.signSk,
);
const batch = signSettlementBatch(
  { payeeKid: payee.kid, from: emptyLedgerHead(payee.cert.serial), payments: [payment] },
  payee.signSk,
);
const result = signSettlementResult(
  {
    payeeKid: payee.kid,
    batchKey: batch.batchKey,
    fromIndex: 0,
    results: [],
    head: batch.head,
    settledAt: NOW,
  },
  bank.signSk,
);
const revocations = signRevocationList({ seq: 1, issuedAt: NOW, serials: [7, 9] }, bank.signSk);
const announcement = signKeyAnnouncement(
  { signKey: payer.cert.signKey, kemKey: payee.cert.kemKey, validFrom: NOW },
  bank.signSk,
);

/** Each signed message as `[tbs, signature, …]` bytes, with its decoder and size bound. */
const signedMessages: [string, Uint8Array, (b: Uint8Array) => unknown, number][] = [
  [
    'payer certificate',
    encodeCertificate(payer.cert),
    decodePayerCertificate,
    LIMITS.certificateBytes,
  ],
  [
    'payee certificate',
    encodeCertificate(payee.cert),
    decodePayeeCertificate,
    LIMITS.certificateBytes,
  ],
  ['payment request', encodePaymentRequest(request), decodePaymentRequest, LIMITS.requestBytes],
  ['payment', encodePayment(payment), decodePayment, LIMITS.paymentBytes],
  ['receipt', encodeReceipt(receipt), decodeReceipt, LIMITS.receiptBytes],
  [
    'settlement batch',
    encodeSettlementBatch(batch),
    decodeSettlementBatch,
    LIMITS.sealedBatchBytes,
  ],
  ['settlement result', encodeSettlementResult(result), decodeSettlementResult, LIMITS.resultBytes],
  [
    'revocation list',
    encodeRevocationList(revocations),
    (b) => verifyRevocationList(b, bank.keys),
    LIMITS.revocationListBytes,
  ],
  [
    'key announcement',
    encodeKeyAnnouncement(announcement),
    (b) => verifyKeyAnnouncement(b, bank.keys),
    256,
  ],
];

describe.each(signedMessages)('a %s', (_name, bytes, decode, limit) => {
  it('decodes as it was encoded (the baseline the refusals below change one thing of)', () => {
    expect(() => decode(bytes)).not.toThrow();
  });

  it('with an unknown version is refused as unsupported, even when other fields changed too', () => {
    for (const version of [0, 2, Number.MAX_SAFE_INTEGER]) {
      expectCode(
        () => decode(rewriteTbs(bytes, ([, ...rest]) => [version, ...rest])),
        'PROTO_VERSION_UNSUPPORTED',
      );
    }
    expectCode(
      () => decode(rewriteTbs(bytes, ([, ...rest]) => [2, ...rest, 0])),
      'PROTO_VERSION_UNSUPPORTED',
    );
    expectCode(() => decode(rewriteTbs(bytes, () => [2, 'anything'])), 'PROTO_VERSION_UNSUPPORTED');
  });

  it('with an unknown version is unsupported even when its envelope changed shape too', () => {
    const v2 = rewriteTbs(bytes, ([, ...rest]) => [2, ...rest]);
    expectCode(
      () => decode(rewriteEnvelope(v2, (items) => [...items, 0])),
      'PROTO_VERSION_UNSUPPORTED',
    );
    expectCode(() => decode(rewriteEnvelope(v2, ([tbs]) => [tbs!])), 'PROTO_VERSION_UNSUPPORTED');
  });

  it('whose first field is not an unsigned integer is not an offpay message: PROTO_SCHEMA', () => {
    for (const first of ['1', new Uint8Array([1]), [1], -1]) {
      expectCode(
        () => decode(rewriteTbs(bytes, ([, ...rest]) => [first, ...rest])),
        'PROTO_SCHEMA',
      );
    }
    expectCode(() => decode(rewriteTbs(bytes, () => [])), 'PROTO_SCHEMA');
  });

  it('whose version is 2^53 is forbidden CBOR, refused before the version is read', () => {
    const v1 = rewriteTbs(bytes, (items) => items);
    const tbs = (decodeCbor(v1) as CborValue[])[0] as Uint8Array;
    // The tbs array head (1 or 2 bytes for arity ≤ 23), then the version byte 0x01.
    expect(tbs[1]).toBe(0x01);
    const big = concatBytes(tbs.subarray(0, 1), fromHex('1b0020000000000000'), tbs.subarray(2));
    expectCode(
      () => decode(rewriteEnvelope(v1, ([, ...rest]) => [big, ...rest])),
      'PROTO_CBOR_FORBIDDEN',
    );
  });

  it('with a field more, a field less or a field of the wrong type is a schema error', () => {
    expectCode(() => decode(rewriteTbs(bytes, (items) => [...items, 0])), 'PROTO_SCHEMA');
    expectCode(() => decode(rewriteTbs(bytes, (items) => items.slice(0, -1))), 'PROTO_SCHEMA');
    expectCode(
      () => decode(rewriteTbs(bytes, ([v, , ...rest]) => [v!, 'x', ...rest])),
      'PROTO_SCHEMA',
    );
  });

  it('whose envelope has the wrong shape is a schema error', () => {
    expectCode(() => decode(rewriteEnvelope(bytes, (items) => [...items, 0])), 'PROTO_SCHEMA');
    expectCode(
      () =>
        decode(
          rewriteEnvelope(bytes, ([tbs, sig, ...rest]) => [
            tbs!,
            (sig as Uint8Array).slice(1),
            ...rest,
          ]),
        ),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => decode(rewriteEnvelope(bytes, ([, ...rest]) => ['tbs', ...rest])),
      'PROTO_SCHEMA',
    );
    expectCode(() => decode(encodeCbor(1)), 'PROTO_SCHEMA');
  });

  it(`larger than its bound is refused before decoding: PROTO_TOO_LARGE`, () => {
    expectCode(() => decode(new Uint8Array(limit + 1)), 'PROTO_TOO_LARGE', {
      limit,
      actual: limit + 1,
    });
  });

  it('with trailing bytes is malformed CBOR', () => {
    expectCode(() => decode(Uint8Array.of(...bytes, 0)), 'PROTO_CBOR_MALFORMED');
  });
});

describe('a fraud proof', () => {
  const other = pay(payer, payee, { amount: 501, spent: 501 });
  const proof = encodeFraudProof(makeFraudProof(payment, other));

  it('with an unknown version, a payment more or less, or over 2048 bytes is refused', () => {
    expect(() => verifyFraudProof(proof, bank.keys)).not.toThrow();
    expectCode(
      () =>
        verifyFraudProof(
          rewriteEnvelope(proof, ([, ...rest]) => [2, ...rest]),
          bank.keys,
        ),
      'PROTO_VERSION_UNSUPPORTED',
    );
    expectCode(
      () =>
        verifyFraudProof(
          rewriteEnvelope(proof, (items) => items.slice(0, 2)),
          bank.keys,
        ),
      'PROTO_SCHEMA',
    );
    expectCode(
      () =>
        verifyFraudProof(
          rewriteEnvelope(proof, (items) => [...items, items[1]!]),
          bank.keys,
        ),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => verifyFraudProof(new Uint8Array(LIMITS.fraudProofBytes + 1), bank.keys),
      'PROTO_TOO_LARGE',
    );
  });
});

describe('certificates cannot pass for one another', () => {
  it('a payer certificate given where a payee certificate is required is PROTO_CERT_WRONG_TYPE, and the reverse', () => {
    expectCode(
      () => decodePayeeCertificate(encodeCertificate(payer.cert)),
      'PROTO_CERT_WRONG_TYPE',
    );
    expectCode(
      () => decodePayerCertificate(encodeCertificate(payee.cert)),
      'PROTO_CERT_WRONG_TYPE',
    );
  });

  it('a payment carrying a payee certificate, or a request carrying a payer certificate, is PROTO_CERT_WRONG_TYPE', () => {
    const withPayee = rewriteEnvelope(encodePayment(payment), ([tbs, sig]) => [
      tbs!,
      sig!,
      [payee.cert.tbs, payee.cert.signature],
    ]);
    expectCode(() => decodePayment(withPayee), 'PROTO_CERT_WRONG_TYPE');
    const withPayer = rewriteEnvelope(encodePaymentRequest(request), ([tbs, sig]) => [
      tbs!,
      sig!,
      [payer.cert.tbs, payer.cert.signature],
    ]);
    expectCode(() => decodePaymentRequest(withPayer), 'PROTO_CERT_WRONG_TYPE');
  });

  it('an unknown certificate type is a schema error', () => {
    const three = rewriteTbs(encodeCertificate(payer.cert), ([v, , ...rest]) => [v!, 3, ...rest]);
    expectCode(() => decodePayerCertificate(three), 'PROTO_SCHEMA');
  });
});

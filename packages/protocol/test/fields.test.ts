/**
 * Fields out of range: keys off the curve, display names and memos people could be misled by,
 * serials, counters, unsorted revocation lists and inconsistent entry results are refused.
 */
import { isValidPublicKey, sign } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  decodePaymentRequest,
  decodeSettlementResult,
  emptyLedgerHead,
  encodeCbor,
  encodePaymentRequest,
  encodeSettlementResult,
  issuePayeeCertificate,
  issuePayerCertificate,
  MAX_COUNTER,
  SIGN_LABEL,
  signedBytes,
  signKeyAnnouncement,
  signPaymentRequest,
  signRevocationList,
  signSettlementBatch,
  signSettlementResult,
  verifyRevocationList,
} from '../src/index.js';
import {
  DAY,
  expectCode,
  makeBank,
  makePayee,
  makePayer,
  NOW,
  pay,
  REQUEST_ID,
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

/** A 33-byte string with a 0x02 prefix whose x is not on P-256. */
function offCurveKey(): Uint8Array {
  for (let x = 1; ; x++) {
    const key = new Uint8Array(33);
    key[0] = 2;
    key[32] = x;
    if (!isValidPublicKey(key)) return key;
  }
}

describe('certificate fields out of range', () => {
  const payerFields = {
    serial: 5,
    signKey: payer.cert.signKey,
    currency: 'EUR',
    expiresAt: NOW + DAY,
    limit: 1000,
  };
  const payeeFields = { ...payerFields, kemKey: payee.cert.kemKey, displayName: 'Bakery' };
  const badKeys: [string, Uint8Array][] = [
    ['an x off the curve', offCurveKey()],
    ['an x past the field prime', Uint8Array.of(2, ...new Array<number>(32).fill(0xff))],
    ['a 0x04 prefix', Uint8Array.of(4, ...payer.cert.signKey.subarray(1))],
    ['32 bytes', payer.cert.signKey.subarray(1)],
  ];

  it.each(badKeys)('a signKey or kemKey with %s cannot be issued (PROTO_SCHEMA)', (_, key) => {
    expectCode(
      () => issuePayerCertificate({ ...payerFields, signKey: key }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => issuePayeeCertificate({ ...payeeFields, signKey: key }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => issuePayeeCertificate({ ...payeeFields, kemKey: key }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => signKeyAnnouncement({ signKey: key, kemKey: key, validFrom: 0 }, bank.signSk),
      'PROTO_SCHEMA',
    );
  });

  it.each([
    '',
    'Bob\n',
    'A\u0007B',
    '\u200Eevil',
    'a\u2028b',
    'tab\there',
    'x'.repeat(65),
    '€'.repeat(22),
  ])('display name %j is refused (PROTO_SCHEMA)', (displayName) => {
    expectCode(
      () => issuePayeeCertificate({ ...payeeFields, displayName }, bank.signSk),
      'PROTO_SCHEMA',
    );
  });

  it('display names up to 64 UTF-8 bytes in any script are accepted', () => {
    for (const displayName of [
      'x'.repeat(64),
      '€'.repeat(21),
      'Café Müller',
      '寿司 🍣',
      'Ανδρέας',
    ]) {
      expect(issuePayeeCertificate({ ...payeeFields, displayName }, bank.signSk).displayName).toBe(
        displayName,
      );
    }
  });

  it('serial 0, limit 0, a lowercase or 4-letter currency are refused', () => {
    expectCode(
      () => issuePayerCertificate({ ...payerFields, serial: 0 }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => issuePayerCertificate({ ...payerFields, limit: 0 }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => issuePayerCertificate({ ...payerFields, currency: 'eur' }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => issuePayerCertificate({ ...payerFields, currency: 'EURO' }, bank.signSk),
      'PROTO_SCHEMA',
    );
  });
});

describe('message fields out of range', () => {
  it('a payment with counter 0 or past 2^32 − 1, a short prev or request id, or another serial cannot be signed', () => {
    expectCode(() => pay(payer, payee, { counter: 0 }), 'PROTO_SCHEMA');
    expectCode(() => pay(payer, payee, { counter: MAX_COUNTER + 1 }), 'PROTO_SCHEMA');
    expectCode(() => pay(payer, payee, { prev: new Uint8Array(31) }), 'PROTO_SCHEMA');
    expectCode(() => pay(payer, payee, { requestId: new Uint8Array(15) }), 'PROTO_SCHEMA');
    expectCode(() => pay(payer, payee, { payeeKid: new Uint8Array(9) }), 'PROTO_SCHEMA');
    expectCode(() => pay(payer, payee, { serial: payer.cert.serial + 1 }), 'PROTO_SCHEMA');
  });

  it('a request memo with a control character or over 64 bytes is refused', () => {
    const fields = { amount: 1, requestId: REQUEST_ID, expiresAt: NOW };
    expectCode(
      () => signPaymentRequest({ ...fields, memo: 'a\nb' }, payee.cert, payee.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => signPaymentRequest({ ...fields, memo: 'm'.repeat(65) }, payee.cert, payee.signSk),
      'PROTO_SCHEMA',
    );
    expect(signPaymentRequest({ ...fields, memo: '' }, payee.cert, payee.signSk).memo).toBe('');
  });

  it('a request whose serial is not its payee certificate’s is refused', () => {
    const changed = rewriteTbs(encodePaymentRequest(request), ([v, s, ...rest]) => [
      v!,
      (s as number) + 1,
      ...rest,
    ]);
    expectCode(() => decodePaymentRequest(changed), 'PROTO_SCHEMA');
  });

  it('a revocation list whose serials are not strictly ascending is refused even when the bank signed it', () => {
    for (const serials of [
      [5, 3],
      [3, 3],
      [0, 4],
    ]) {
      const tbs = encodeCbor([1, revocations.bankKid, 2, NOW, serials]);
      const bytes = encodeCbor([
        tbs,
        sign(signedBytes(SIGN_LABEL.revocationList, tbs), bank.signSk),
      ]);
      expectCode(() => verifyRevocationList(bytes, bank.keys), 'PROTO_SCHEMA');
    }
  });

  it('a settlement result entry must carry a code exactly when rejected, and a known status', () => {
    const base = {
      payeeKid: payee.kid,
      batchKey: batch.batchKey,
      fromIndex: 0,
      head: batch.head,
      settledAt: NOW,
    };
    const entry = { index: 0, paymentId: payment.paymentId };
    const bad = [
      { ...entry, status: 'rejected' as const, code: '' },
      { ...entry, status: 'settled' as const, code: 'PROTO_SCHEMA' },
      { ...entry, status: 'duplicate' as const, code: 'x' },
    ];
    for (const r of bad)
      expectCode(
        () => signSettlementResult({ ...base, results: [r] }, bank.signSk),
        'PROTO_SCHEMA',
      );
    const unknownStatus = rewriteTbs(encodeSettlementResult(result), (items) => {
      items[5] = [[0, payment.paymentId, 3, '']];
      return items;
    });
    expectCode(() => decodeSettlementResult(unknownStatus), 'PROTO_SCHEMA');
  });
});

/**
 * decode(encode(x)) = x for every protocol message, over random field values within their ranges,
 * and each message's own verify function accepting what was signed.
 */
import { generateSecretKey, getPublicKey, kid } from '@offpay/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePayeeCertificate,
  decodePayerCertificate,
  decodePayment,
  decodePaymentRequest,
  decodeReceipt,
  decodeSettlementBatch,
  decodeSettlementResult,
  emptyLedgerHead,
  encodeCertificate,
  encodeFraudProof,
  encodeKeyAnnouncement,
  encodePayment,
  encodePaymentRequest,
  encodeReceipt,
  encodeRevocationList,
  encodeSettlementBatch,
  encodeSettlementResult,
  issuePayeeCertificate,
  issuePayerCertificate,
  isDisplayText,
  makeFraudProof,
  MAX_COUNTER,
  signKeyAnnouncement,
  signPayment,
  signPaymentRequest,
  signReceipt,
  signRevocationList,
  signSettlementBatch,
  signSettlementResult,
  verifyCertificate,
  verifyFraudProof,
  verifyKeyAnnouncement,
  verifyRevocationList,
  verifySettlementBatch,
  verifySettlementResult,
  type EntryResult,
} from '../src/index.js';
import { makeBank, makePayee, makePayer, next, pay } from './helpers.js';

const MAX = Number.MAX_SAFE_INTEGER;
const bank = makeBank();
const payer = makePayer(bank);
const payee = makePayee(bank);
const keys = Array.from({ length: 4 }, () => getPublicKey(generateSecretKey()));

const key = fc.constantFrom(...keys);
const serial = fc.integer({ min: 1, max: MAX });
const time = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 32 - 1));
const amount = fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.constantFrom(1, MAX));
const currency = fc.stringMatching(/^[A-Z]{3}$/);
const bytesOf = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const displayName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((s) => isDisplayText(s, 64, 1));
const memo = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => isDisplayText(s, 64));

describe('every message survives encode → decode unchanged', () => {
  it('payer certificate', () => {
    fc.assert(
      fc.property(
        serial,
        key,
        currency,
        time,
        amount,
        (serial, signKey, currency, expiresAt, limit) => {
          const fields = { serial, signKey, currency, expiresAt, limit };
          const cert = issuePayerCertificate(fields, bank.signSk);
          const back = decodePayerCertificate(encodeCertificate(cert));
          expect(back).toEqual(cert);
          expect(back).toMatchObject({ ...fields, kind: 'payer', issuerKid: kid(bank.signPk) });
          verifyCertificate(back, bank.keys);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('payee certificate, with any printable display name up to 64 bytes', () => {
    fc.assert(
      fc.property(
        serial,
        key,
        key,
        currency,
        time,
        displayName,
        (serial, signKey, kemKey, currency, expiresAt, name) => {
          const fields = { serial, signKey, kemKey, currency, expiresAt, displayName: name };
          const cert = issuePayeeCertificate(fields, bank.signSk);
          const back = decodePayeeCertificate(encodeCertificate(cert));
          expect(back).toEqual(cert);
          expect(back).toMatchObject({ ...fields, kind: 'payee' });
          verifyCertificate(back, bank.keys);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('payment request', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX }),
        bytesOf(16),
        time,
        memo,
        (amount, requestId, expiresAt, memo) => {
          const fields = { amount, requestId, expiresAt, memo };
          const request = signPaymentRequest(fields, payee.cert, payee.signSk);
          const back = decodePaymentRequest(encodePaymentRequest(request));
          expect(back).toEqual(request);
          expect(back).toMatchObject({
            ...fields,
            payeeSerial: payee.cert.serial,
            payeeKid: payee.kid,
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('payment, with every field anywhere in its range', () => {
    const fields = fc.record({
      serial: fc.constant(payer.cert.serial),
      counter: fc.oneof(fc.integer({ min: 1, max: MAX_COUNTER }), fc.constantFrom(1, MAX_COUNTER)),
      prev: bytesOf(32),
      spent: fc.integer({ min: 0, max: MAX }),
      amount: fc.integer({ min: 0, max: MAX }),
      payeeKid: bytesOf(8),
      requestId: bytesOf(16),
      createdAt: time,
    });
    fc.assert(
      fc.property(fields, (f) => {
        const payment = signPayment(f, payer.cert, payer.sk);
        const back = decodePayment(encodePayment(payment));
        expect(back).toEqual(payment);
        expect(back).toMatchObject(f);
      }),
      { numRuns: 30 },
    );
  });

  it('receipt', () => {
    const fields = fc.record({
      payeeKid: bytesOf(8),
      paymentId: bytesOf(32),
      index: fc.integer({ min: 0, max: MAX }),
      entryHash: bytesOf(32),
      acceptedAt: time,
    });
    fc.assert(
      fc.property(fields, (f) => {
        const receipt = signReceipt(f, payee.signSk);
        const back = decodeReceipt(encodeReceipt(receipt));
        expect(back).toEqual(receipt);
        expect(back).toMatchObject(f);
      }),
      { numRuns: 25 },
    );
  });

  it('settlement batch, which also verifies under the payee key', () => {
    const first = pay(payer, payee);
    const pool = [first, next(payer, payee, first), pay(makePayer(bank), payee)];
    fc.assert(
      fc.property(
        fc.subarray(pool, { minLength: 1 }),
        // The last entry's index is at most 2^53 − 1 (docs/protocol.md §9).
        fc.integer({ min: 0, max: MAX - (pool.length - 1) }),
        bytesOf(32),
        (payments, nextIndex, head) => {
          const from = { nextIndex, head };
          const batch = signSettlementBatch({ payeeKid: payee.kid, from, payments }, payee.signSk);
          const back = decodeSettlementBatch(encodeSettlementBatch(batch));
          expect(back).toEqual(batch);
          expect(back).toMatchObject({
            payeeKid: payee.kid,
            fromIndex: nextIndex,
            prevHead: head,
            entries: payments,
          });
          verifySettlementBatch(back, payee.cert.signKey);
        },
      ),
      { numRuns: 20 },
    );
    const empty = emptyLedgerHead(payee.cert.serial);
    expect(
      signSettlementBatch({ payeeKid: payee.kid, from: empty, payments: pool }, payee.signSk)
        .prevHead,
    ).toEqual(empty.head);
  });

  it('settlement result, with settled, duplicate and rejected entries', () => {
    const entry: fc.Arbitrary<EntryResult> = fc.oneof(
      fc.record({
        index: fc.nat(),
        paymentId: bytesOf(32),
        status: fc.constantFrom('settled' as const, 'duplicate' as const),
        code: fc.constant(''),
      }),
      fc.record({
        index: fc.nat(),
        paymentId: bytesOf(32),
        status: fc.constant('rejected' as const),
        code: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,63}$/),
      }),
    );
    const fields = fc.record({
      payeeKid: bytesOf(8),
      batchKey: bytesOf(32),
      fromIndex: fc.nat(),
      results: fc.array(entry, { maxLength: 6 }),
      head: bytesOf(32),
      settledAt: time,
    });
    fc.assert(
      fc.property(fields, (f) => {
        const result = signSettlementResult(f, bank.signSk);
        const back = decodeSettlementResult(encodeSettlementResult(result));
        expect(back).toEqual(result);
        expect(back).toMatchObject({ ...f, bankKid: kid(bank.signPk) });
        verifySettlementResult(back, bank.keys);
      }),
      { numRuns: 25 },
    );
  });

  it('revocation list, sorted and de-duplicated when signed', () => {
    fc.assert(
      fc.property(fc.nat(), time, fc.array(serial, { maxLength: 20 }), (seq, issuedAt, serials) => {
        const list = signRevocationList({ seq, issuedAt, serials }, bank.signSk);
        const back = verifyRevocationList(encodeRevocationList(list), bank.keys);
        expect(back).toEqual(list);
        expect(back.serials).toEqual([...new Set(serials)].sort((a, b) => a - b));
        expect(back).toMatchObject({ seq, issuedAt });
      }),
      { numRuns: 25 },
    );
  });

  it('key announcement, verified under the previous bank key', () => {
    fc.assert(
      fc.property(key, key, time, (signKey, kemKey, validFrom) => {
        const announcement = signKeyAnnouncement({ signKey, kemKey, validFrom }, bank.signSk);
        const back = verifyKeyAnnouncement(encodeKeyAnnouncement(announcement), bank.keys);
        expect(back).toEqual(announcement);
        expect(back).toMatchObject({ prevKid: kid(bank.signPk), signKey, kemKey, validFrom });
      }),
      { numRuns: 25 },
    );
  });

  it('fraud proof, verified under the bank key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_COUNTER }), amount, amount, (counter, a, b) => {
        fc.pre(a !== b);
        const one = pay(payer, payee, { counter, amount: a, spent: a });
        const two = pay(payer, payee, { counter, amount: b, spent: b });
        const proof = makeFraudProof(two, one);
        const back = verifyFraudProof(encodeFraudProof(proof), bank.keys);
        expect(back).toEqual(proof);
        expect(back.kind).toBe('equivocation');
      }),
      { numRuns: 15 },
    );
  });
});

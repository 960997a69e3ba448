/**
 * A payment's wire bytes (`encodePayment`): for a payment decoded out of a settlement batch they
 * are copied from around its parts instead of encoded again — and must be exactly the bytes the
 * encoder writes, in an array of their own, whatever the payment object holds.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePayment,
  decodeSettlementBatch,
  emptyLedgerHead,
  encodeCbor,
  encodePayment,
  encodeSettlementBatch,
  paymentValue,
  signSettlementBatch,
  type Payment,
} from '../src/index.js';
import { makeBank, makePayee, makePayer, next, pay } from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const payer = makePayer(bank);
const p1 = pay(payer, payee);
const p2 = next(payer, payee, p1);
const p3 = next(payer, payee, p2);

/** The batch's payments as the bank reads them: views into the one decoded batch buffer. */
function decodedFromBatch(): Payment[] {
  const batch = signSettlementBatch(
    { payeeKid: payee.kid, from: emptyLedgerHead(payee.cert.serial), payments: [p1, p2, p3] },
    payee.signSk,
  );
  return decodeSettlementBatch(encodeSettlementBatch(batch)).entries;
}

describe('a payment’s wire bytes', () => {
  it('are the encoder’s bytes for payments read out of a batch, in a fresh array', () => {
    const decoded = decodedFromBatch();
    decoded.forEach((p, i) => {
      const bytes = encodePayment(p);
      expect(bytes).toEqual(encodeCbor(paymentValue([p1, p2, p3][i]!)));
      expect(bytes.buffer).not.toBe(p.tbs.buffer);
      expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
      expect(decodePayment(bytes).paymentId).toEqual(p.paymentId);
    });
  });

  it('follow the payment’s own parts when they are not where its encoding would put them', () => {
    const [a, b] = decodedFromBatch() as [Payment, Payment];
    // Parts of the same buffer, swapped between entries, with a fresh signature, a copied tbs.
    const mixes: Payment[] = [
      { ...a, signature: b.signature },
      { ...a, payerCert: { ...a.payerCert, signature: b.payerCert.signature } },
      { ...a, tbs: b.tbs },
      { ...a, signature: a.signature.slice() },
      { ...a, tbs: a.tbs.slice() },
    ];
    for (const mixed of mixes)
      expect(encodePayment(mixed)).toEqual(encodeCbor(paymentValue(mixed)));
  });

  it('of a payment signed here (parts in separate arrays) are encoded as before', () => {
    expect(encodePayment(p2)).toEqual(encodeCbor(paymentValue(p2)));
  });
});

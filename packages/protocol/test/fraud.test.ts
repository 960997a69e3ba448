/**
 * Fraud proofs (fraud.ts, DESIGN.md §3): the three kinds of provable cheating are detected, the
 * proof verifies under the bank key alone, and nothing else passes for a proof.
 */
import { fromBase64Url, malleate } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  detectFraud,
  encodeCbor,
  encodeFraudProof,
  makeFraudProof,
  paymentValue,
  verifyFraudProof,
  VERSION,
  type Payment,
} from '../src/index.js';
import {
  codeOf,
  expectCode,
  flipByte,
  makeBank,
  makePayee,
  makePayer,
  MemoryReceiver,
  next,
  pay,
  random,
  sealTo,
} from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const elsewhere = makePayee(bank);

/** A fresh payer and its honest first three payments. */
function chain() {
  const payer = makePayer(bank);
  const p1 = pay(payer, payee, { amount: 500 });
  const p2 = next(payer, payee, p1, 300);
  const p3 = next(payer, payee, p2, 200);
  return { payer, p1, p2, p3 };
}
const proofOf = (first: Payment, second: Payment) =>
  encodeCbor([VERSION, paymentValue(first), paymentValue(second)]);

describe('detectFraud', () => {
  it('finds nothing in an honest chain, in either order, even with payments missing between', () => {
    const { p1, p2, p3 } = chain();
    for (const [a, b] of [
      [p1, p2],
      [p2, p3],
      [p1, p3],
    ] as const) {
      expect(detectFraud(a, b)).toBeNull();
      expect(detectFraud(b, a)).toBeNull();
    }
  });

  it('treats the same payment, even with a malleated signature, as no fraud', () => {
    const { p1 } = chain();
    expect(detectFraud(p1, p1)).toBeNull();
    const twin: Payment = { ...p1, signature: malleate(p1.signature) };
    expect(detectFraud(p1, twin)).toBeNull();
  });

  it('never compares payments under different certificates', () => {
    const a = chain().p1;
    const b = chain().p1;
    expect(detectFraud(a, { ...b, counter: a.counter })).toBeNull();
  });

  it('same counter, different payment: equivocation', () => {
    const { payer, p1 } = chain();
    const twin = pay(payer, elsewhere, { amount: 500 });
    expect(detectFraud(p1, twin)).toBe('equivocation');
    expect(detectFraud(twin, p1)).toBe('equivocation');
  });

  it('consecutive counters whose prev does not link: fork', () => {
    const { payer, p1 } = chain();
    expect(detectFraud(p1, next(payer, payee, p1, 300, { prev: random(32) }))).toBe('fork');
  });

  it('a counter skip whose prev is the id of an earlier payment (payment 3 linking to payment 1): fork', () => {
    const { payer, p1, p2 } = chain();
    const skip = pay(payer, payee, {
      counter: 3,
      prev: p1.paymentId,
      amount: 100,
      spent: p2.spent + 100,
    });
    expect(detectFraud(p1, skip)).toBe('fork');
    expect(detectFraud(skip, p1)).toBe('fork');
  });

  it('an earlier counter linking to a later payment: fork', () => {
    const { payer, p3 } = chain();
    const loop = pay(payer, payee, { counter: 2, prev: p3.paymentId, amount: 300, spent: 800 });
    expect(detectFraud(loop, p3)).toBe('fork');
  });

  it('a later payment whose total, less its amount, is below an earlier total: understated', () => {
    const { payer, p1, p2 } = chain();
    const low = next(payer, payee, p1, 300, { spent: 799 });
    expect(detectFraud(p1, low)).toBe('understated');
    const lowLater = pay(payer, payee, {
      counter: 4,
      prev: random(32),
      amount: 200,
      spent: p2.spent + 199,
    });
    expect(detectFraud(p2, lowLater)).toBe('understated');
    expect(detectFraud(p1, lowLater)).toBeNull();
  });
});

describe('verifyFraudProof', () => {
  it('accepts each kind of proof under the bank key, whichever order the payments were given in', () => {
    const { payer, p1, p2 } = chain();
    const cases: [Payment, Payment, string][] = [
      [p1, pay(payer, elsewhere, { amount: 499 }), 'equivocation'],
      [p1, next(payer, payee, p1, 300, { prev: random(32) }), 'fork'],
      [p2, next(payer, payee, p2, 10, { spent: p2.spent }), 'understated'],
    ];
    for (const [a, b, kind] of cases) {
      const proof = verifyFraudProof(encodeFraudProof(makeFraudProof(b, a)), bank.keys);
      expect(proof.kind).toBe(kind);
      expect([proof.first.counter, proof.second.counter]).toEqual(
        [a.counter, b.counter].sort((x, y) => x - y),
      );
    }
  });

  it('refuses two consistent payments, one payment twice, or a payment and its malleated twin', () => {
    const { p1, p2 } = chain();
    expectCode(() => verifyFraudProof(proofOf(p1, p2), bank.keys), 'PROTO_FRAUD_PROOF_INVALID');
    expectCode(() => verifyFraudProof(proofOf(p1, p1), bank.keys), 'PROTO_FRAUD_PROOF_INVALID');
    expectCode(
      () => verifyFraudProof(proofOf(p1, { ...p1, signature: malleate(p1.signature) }), bank.keys),
      'PROTO_FRAUD_PROOF_INVALID',
    );
    expectCode(() => makeFraudProof(p1, p2), 'PROTO_FRAUD_PROOF_INVALID');
  });

  it('refuses payments under different certificates, even two with the same serial', () => {
    const a = chain();
    const sameSerial = makePayer(bank, {
      serial: a.payer.cert.serial,
      sk: a.payer.sk,
      limit: a.payer.cert.limit + 1,
    });
    const b = pay(sameSerial, payee, { amount: 1 });
    expect(detectFraud(a.p1, b)).toBe('equivocation');
    expectCode(() => verifyFraudProof(proofOf(a.p1, b), bank.keys), 'PROTO_FRAUD_PROOF_INVALID');
    expectCode(
      () => verifyFraudProof(proofOf(a.p1, chain().p1), bank.keys),
      'PROTO_FRAUD_PROOF_INVALID',
    );
  });

  it('refuses a proof whose payments are not in canonical order', () => {
    const { payer, p1, p2 } = chain();
    const fork = next(payer, payee, p1, 300, { prev: random(32) });
    expectCode(() => verifyFraudProof(proofOf(fork, p1), bank.keys), 'PROTO_FRAUD_PROOF_INVALID');
    const twin = pay(payer, elsewhere, { counter: 2, prev: p1.paymentId, amount: 1, spent: 501 });
    const [low, high] = makeFraudProof(p2, twin).first === p2 ? [p2, twin] : [twin, p2];
    expect(() => verifyFraudProof(proofOf(low, high), bank.keys)).not.toThrow();
    expectCode(() => verifyFraudProof(proofOf(high, low), bank.keys), 'PROTO_FRAUD_PROOF_INVALID');
  });

  it('refuses a proof built on a forged payer signature or from a bank that is not pinned', () => {
    const { payer, p1 } = chain();
    const twin = pay(payer, elsewhere, { amount: 499 });
    const { first, second } = makeFraudProof(p1, twin);
    const forged = { ...second, signature: flipByte(second.signature, 5) };
    expectCode(
      () => verifyFraudProof(proofOf(first, forged), bank.keys),
      'PROTO_SIGNATURE_INVALID',
    );
    expectCode(
      () => verifyFraudProof(proofOf(first, second), makeBank().keys),
      'PROTO_UNKNOWN_ISSUER',
    );
  });
});

describe('a receiver holding an earlier payment of a cheating payer', () => {
  /** Accepts `earlier`, then checks `later`: the fraud code and the proof the error carries. */
  function caught(earlier: Payment[], later: Payment) {
    const receiver = new MemoryReceiver(bank, payee);
    for (const p of earlier) receiver.accept(sealTo(payee, p));
    let error: { code?: string; details?: { proof?: string; kind?: string } } = {};
    try {
      receiver.verify(sealTo(payee, later));
    } catch (e) {
      error = e as typeof error;
    }
    return {
      code: error.code,
      details: error.details,
      proof: verifyFraudProof(fromBase64Url(error.details!.proof!), bank.keys),
    };
  }

  it('refuses a second payment with the same counter with PROTO_FRAUD_EQUIVOCATION and a valid proof', () => {
    const { payer, p1 } = chain();
    const result = caught([p1], pay(payer, payee, { amount: 501, requestId: random(16) }));
    expect(result.code).toBe('PROTO_FRAUD_EQUIVOCATION');
    expect(result.details).toMatchObject({ serial: payer.cert.serial, kind: 'equivocation' });
    expect(result.proof.kind).toBe('equivocation');
  });

  it('refuses a forked chain with PROTO_FRAUD_FORK, consecutive or skipping a counter', () => {
    const { payer, p1, p2 } = chain();
    expect(caught([p1], next(payer, payee, p1, 300, { prev: random(32) })).code).toBe(
      'PROTO_FRAUD_FORK',
    );
    const skip = pay(payer, payee, {
      counter: 3,
      prev: p1.paymentId,
      amount: 100,
      spent: p2.spent + 100,
    });
    const result = caught([p1], skip);
    expect(result.code).toBe('PROTO_FRAUD_FORK');
    expect(result.proof.second.paymentId).toEqual(skip.paymentId);
  });

  it('refuses an understated total with PROTO_FRAUD_UNDERSTATED', () => {
    const { payer, p1, p2 } = chain();
    const low = pay(payer, payee, { counter: 3, prev: p2.paymentId, amount: 200, spent: 600 });
    expect(caught([p1], low).code).toBe('PROTO_FRAUD_UNDERSTATED');
  });

  it('accepts the honest next payments of the same payer', () => {
    const { payer, p1, p2, p3 } = chain();
    const receiver = new MemoryReceiver(bank, payee);
    receiver.accept(sealTo(payee, p1));
    receiver.accept(sealTo(payee, p3));
    expect(codeOf(() => receiver.verify(sealTo(payee, next(payer, payee, p3, 1))))).toBeUndefined();
    expect(codeOf(() => receiver.verify(sealTo(payee, p2)))).toBeUndefined();
  });
});

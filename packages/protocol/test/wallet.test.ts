/** The payer's wallet (wallet.ts): the chain it builds, the limit it keeps, and what it refuses. */
import { describe, expect, it } from 'vitest';
import {
  createPayment,
  detectFraud,
  initialChainState,
  payerGenesis,
  remainingAllowance,
  type PayerChainState,
  type PaymentOrder,
} from '../src/index.js';
import {
  DAY,
  expectCode,
  makeBank,
  makePayee,
  makePayer,
  MemoryReceiver,
  NOW,
  random,
  sealTo,
} from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const order = (amount: number, over: Partial<PaymentOrder> = {}): PaymentOrder => ({
  amount,
  payeeKid: payee.kid,
  payeeCurrency: 'EUR',
  requestId: random(16),
  now: NOW,
  ...over,
});

describe('a payer wallet', () => {
  it('starts at counter 0 on the payer genesis, with nothing spent and the whole limit left', () => {
    const payer = makePayer(bank, { limit: 5000 });
    const state = initialChainState(payer.cert);
    expect(state).toEqual({
      serial: payer.cert.serial,
      counter: 0,
      lastPaymentId: payerGenesis(payer.cert.serial),
      spent: 0,
    });
    expect(remainingAllowance(payer.cert, state).toString()).toBe('50.00 EUR');
  });

  it('increments the counter, links each payment to the previous one and accumulates the total', () => {
    const payer = makePayer(bank, { limit: 5000 });
    let state = initialChainState(payer.cert);
    const made = [];
    for (const amount of [1200, 300, 1]) {
      const step = createPayment(payer.cert, state, payer.sk, order(amount));
      expect(step.payment.counter).toBe(state.counter + 1);
      expect(step.payment.prev).toEqual(state.lastPaymentId);
      expect(step.payment.spent).toBe(state.spent + amount);
      expect(step.payment.createdAt).toBe(NOW);
      expect(step.state).toEqual({
        serial: payer.cert.serial,
        counter: step.payment.counter,
        lastPaymentId: step.payment.paymentId,
        spent: step.payment.spent,
      });
      made.push(step.payment);
      state = step.state;
    }
    expect(remainingAllowance(payer.cert, state).minor).toBe(5000 - 1501);
    for (let i = 0; i < made.length; i++)
      for (let j = i + 1; j < made.length; j++) expect(detectFraud(made[i]!, made[j]!)).toBeNull();
  });

  it('makes payments a receiver accepts, one after another', () => {
    const payer = makePayer(bank);
    const receiver = new MemoryReceiver(bank, payee);
    let state = initialChainState(payer.cert);
    for (const amount of [10, 20]) {
      const step = createPayment(payer.cert, state, payer.sk, order(amount));
      expect(receiver.accept(sealTo(payee, step.payment)).payment.paymentId).toEqual(
        step.payment.paymentId,
      );
      state = step.state;
    }
    expect(receiver.entries).toHaveLength(2);
  });

  it('spends exactly up to the limit, then refuses one minor unit more with PROTO_PAYMENT_OVER_LIMIT, state unchanged', () => {
    const payer = makePayer(bank, { limit: 1000 });
    const { state } = createPayment(
      payer.cert,
      initialChainState(payer.cert),
      payer.sk,
      order(1000),
    );
    expect(remainingAllowance(payer.cert, state).minor).toBe(0);
    const before: PayerChainState = structuredClone(state);
    expectCode(
      () => createPayment(payer.cert, state, payer.sk, order(1)),
      'PROTO_PAYMENT_OVER_LIMIT',
      {
        limitMinor: '1000',
        spentMinor: '1001',
      },
    );
    expect(state).toEqual(before);
  });

  it('after a refused amount, the next payment still takes the next counter', () => {
    const payer = makePayer(bank, { limit: 1000 });
    const first = createPayment(payer.cert, initialChainState(payer.cert), payer.sk, order(600));
    expectCode(
      () => createPayment(payer.cert, first.state, payer.sk, order(401)),
      'PROTO_PAYMENT_OVER_LIMIT',
    );
    const second = createPayment(payer.cert, first.state, payer.sk, order(400));
    expect(second.payment.counter).toBe(2);
    expect(second.payment.prev).toEqual(first.payment.paymentId);
  });

  it.each([0, -5, 1.5, Number.NaN])('refuses amount %s with PROTO_AMOUNT_INVALID', (amount) => {
    const payer = makePayer(bank);
    expectCode(
      () => createPayment(payer.cert, initialChainState(payer.cert), payer.sk, order(amount)),
      'PROTO_AMOUNT_INVALID',
    );
  });

  it('refuses to pay a receiver in another currency, or after its certificate expired', () => {
    const payer = makePayer(bank, { expiresAt: NOW + DAY });
    const state = initialChainState(payer.cert);
    expectCode(
      () => createPayment(payer.cert, state, payer.sk, order(10, { payeeCurrency: 'JPY' })),
      'PROTO_CURRENCY_MISMATCH',
    );
    expectCode(
      () => createPayment(payer.cert, state, payer.sk, order(10, { now: NOW + DAY + 1 })),
      'PROTO_CERT_EXPIRED',
    );
  });

  it('refuses a chain state of another certificate, or a key its certificate does not certify', () => {
    const payer = makePayer(bank);
    const other = makePayer(bank);
    expectCode(
      () => createPayment(payer.cert, initialChainState(other.cert), payer.sk, order(10)),
      'PROTO_SCHEMA',
    );
    expectCode(
      () => createPayment(payer.cert, initialChainState(payer.cert), other.sk, order(10)),
      'PROTO_SCHEMA',
    );
  });
});

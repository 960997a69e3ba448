/**
 * The one-QR-code budget (DESIGN.md §4): a sealed payment with every field at its largest still
 * fits LIMITS.sealedPaymentBytes (397 bytes: version 15, level M). Times are taken up to 2^32 − 1
 * (year 2106): decoders accept larger ones, which would take 8 bytes more (see the report).
 */
import { describe, expect, it } from 'vitest';
import { encodePayment, LIMITS, MAX_AMOUNT, MAX_COUNTER } from '../src/index.js';
import { makeBank, makePayee, makePayer, MemoryReceiver, pay, random, sealTo } from './helpers.js';

const TIME_MAX = 2 ** 32 - 1;

describe('a sealed payment', () => {
  const bank = makeBank();
  const payee = makePayee(bank, { expiresAt: TIME_MAX, displayName: 'x'.repeat(64) });
  const payer = makePayer(bank, { serial: MAX_AMOUNT, limit: MAX_AMOUNT, expiresAt: TIME_MAX });
  const worst = pay(payer, payee, {
    counter: MAX_COUNTER,
    prev: random(32),
    spent: MAX_AMOUNT,
    amount: MAX_AMOUNT,
    createdAt: TIME_MAX,
  });

  it(`with every field at its largest (times up to 2^32 − 1) fits one QR code: at most ${LIMITS.sealedPaymentBytes} bytes`, () => {
    const sealed = sealTo(payee, worst);
    expect(sealed.length).toBe(encodePayment(worst).length + 81);
    expect(sealed.length).toBeLessThanOrEqual(LIMITS.sealedPaymentBytes);
  });

  it('with every field at its largest is still a payment the receiver accepts', () => {
    const receiver = new MemoryReceiver(bank, payee, TIME_MAX);
    expect(receiver.verify(sealTo(payee, worst)).payment.paymentId).toEqual(worst.paymentId);
  });
});

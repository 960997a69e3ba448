/**
 * The rules one payment must satisfy on its own (rules.ts, docs/protocol.md §6), each code
 * reachable, the bank's grace period, and the normative order when several rules are broken.
 */
import { describe, expect, it } from 'vitest';
import {
  checkedDeviceTime,
  checkPaymentRules,
  GRACE_SECONDS,
  MAX_FUTURE_SKEW_SECONDS,
  payerGenesis,
  type PaymentFields,
  type PaymentRuleContext,
} from '../src/index.js';
import { DAY, expectCode, makeBank, makePayee, makePayer, NOW, pay, random } from './helpers.js';

const bank = makeBank();
const payer = makePayer(bank, { expiresAt: NOW + DAY, limit: 10_000 });
const payee = makePayee(bank);
const other = makePayee(bank);
const expiresAt = payer.cert.expiresAt;

/** The receiver's context: its own kid and currency, the device clock, no grace. */
const device = (over: Partial<PaymentRuleContext> = {}): PaymentRuleContext => ({
  payeeKid: payee.kid,
  currency: 'EUR',
  now: NOW,
  graceSeconds: 0,
  isRevoked: () => false,
  ...over,
});
const check =
  (fields: Partial<PaymentFields>, ctx: Partial<PaymentRuleContext> = {}) =>
  () =>
    checkPaymentRules(pay(payer, payee, fields), device(ctx));

describe('a single payment', () => {
  it('that is valid passes, first or later in the chain', () => {
    expect(check({})).not.toThrow();
    expect(check({ counter: 7, prev: random(32), spent: 9000, amount: 10 })).not.toThrow();
  });

  it('from a revoked certificate is PROTO_CERT_REVOKED', () => {
    expectCode(check({}, { isRevoked: (s) => s === payer.cert.serial }), 'PROTO_CERT_REVOKED', {
      serial: payer.cert.serial,
    });
  });

  it('checked after the certificate expired by the device clock is PROTO_CERT_EXPIRED', () => {
    expect(check({ createdAt: expiresAt }, { now: expiresAt })).not.toThrow();
    expectCode(check({}, { now: expiresAt + 1 }), 'PROTO_CERT_EXPIRED', { expiresAt });
  });

  it('created after the certificate expired is PROTO_CERT_EXPIRED even when checked before', () => {
    expectCode(check({ createdAt: expiresAt + 1 }, { now: expiresAt }), 'PROTO_CERT_EXPIRED');
  });

  it('settles at the bank until expiresAt + GRACE_SECONDS and not one second later', () => {
    const bankCtx = { graceSeconds: GRACE_SECONDS };
    expect(check({}, { ...bankCtx, now: expiresAt + GRACE_SECONDS })).not.toThrow();
    expectCode(check({}, { ...bankCtx, now: expiresAt + GRACE_SECONDS + 1 }), 'PROTO_CERT_EXPIRED');
    expectCode(
      check({ createdAt: expiresAt + 1 }, { ...bankCtx, now: expiresAt + 10 }),
      'PROTO_CERT_EXPIRED',
    );
  });

  it('dated more than the allowed skew ahead of the clock is PROTO_PAYMENT_FROM_FUTURE', () => {
    expect(check({ createdAt: NOW + MAX_FUTURE_SKEW_SECONDS })).not.toThrow();
    expectCode(
      check({ createdAt: NOW + MAX_FUTURE_SKEW_SECONDS + 1 }),
      'PROTO_PAYMENT_FROM_FUTURE',
    );
  });

  it('naming another payee is PROTO_PAYMENT_WRONG_PAYEE', () => {
    expectCode(check({ payeeKid: other.kid }), 'PROTO_PAYMENT_WRONG_PAYEE');
  });

  it('in another currency than the receiver takes is PROTO_CURRENCY_MISMATCH', () => {
    expectCode(check({}, { currency: 'JPY' }), 'PROTO_CURRENCY_MISMATCH', {
      expected: 'JPY',
      actual: 'EUR',
    });
  });

  it('of amount 0 is PROTO_AMOUNT_INVALID', () => {
    expectCode(check({ amount: 0, spent: 0 }), 'PROTO_AMOUNT_INVALID');
    expectCode(
      check({ counter: 2, prev: random(32), amount: 0, spent: 50 }),
      'PROTO_AMOUNT_INVALID',
    );
  });

  it('with counter 1 not linking to the payer genesis is PROTO_PAYMENT_BAD_PREV', () => {
    expectCode(check({ prev: random(32) }), 'PROTO_PAYMENT_BAD_PREV', { counter: 1 });
    expectCode(check({ prev: payerGenesis(payer.cert.serial + 1) }), 'PROTO_PAYMENT_BAD_PREV');
  });

  it('with a later counter linking to the payer genesis is PROTO_PAYMENT_BAD_PREV', () => {
    expectCode(
      check({ counter: 2, prev: payerGenesis(payer.cert.serial), spent: 1000 }),
      'PROTO_PAYMENT_BAD_PREV',
      { counter: 2 },
    );
  });

  it('whose cumulative total is below its amount, or differs from it on counter 1, is PROTO_PAYMENT_BAD_SPENT', () => {
    expectCode(
      check({ counter: 2, prev: random(32), amount: 200, spent: 199 }),
      'PROTO_PAYMENT_BAD_SPENT',
    );
    expectCode(check({ amount: 500, spent: 501 }), 'PROTO_PAYMENT_BAD_SPENT');
    expectCode(check({ amount: 500, spent: 499 }), 'PROTO_PAYMENT_BAD_SPENT');
  });

  it('taking the cumulative total past the certificate limit is PROTO_PAYMENT_OVER_LIMIT', () => {
    expect(check({ amount: 10_000, spent: 10_000 })).not.toThrow();
    expectCode(check({ amount: 10_001, spent: 10_001 }), 'PROTO_PAYMENT_OVER_LIMIT', {
      serial: String(payer.cert.serial),
      limitMinor: '10000',
      spentMinor: '10001',
    });
    expectCode(
      check({ counter: 3, prev: random(32), amount: 1, spent: 10_001 }),
      'PROTO_PAYMENT_OVER_LIMIT',
    );
  });
});

describe('the normative order', () => {
  interface Case {
    fields: Partial<PaymentFields>;
    ctx: Partial<PaymentRuleContext>;
  }
  // Each entry breaks one rule; applied from the last to the first, so an earlier rule's change wins.
  const breakers: [string, (c: Case) => void][] = [
    ['PROTO_CERT_REVOKED', (c) => void (c.ctx.isRevoked = () => true)],
    ['PROTO_CERT_EXPIRED', (c) => void (c.ctx.now = expiresAt + 1)],
    [
      'PROTO_PAYMENT_FROM_FUTURE',
      (c) => void (c.fields.createdAt = NOW + MAX_FUTURE_SKEW_SECONDS + 1),
    ],
    ['PROTO_PAYMENT_WRONG_PAYEE', (c) => void (c.fields.payeeKid = other.kid)],
    ['PROTO_CURRENCY_MISMATCH', (c) => void (c.ctx.currency = 'KWD')],
    ['PROTO_AMOUNT_INVALID', (c) => void (c.fields.amount = 0)],
    ['PROTO_PAYMENT_BAD_PREV', (c) => void (c.fields.prev = random(32))],
    ['PROTO_PAYMENT_BAD_SPENT', (c) => void (c.fields.spent = (c.fields.amount ?? 500) + 1)],
    ['PROTO_PAYMENT_OVER_LIMIT', (c) => void (c.fields.amount = c.fields.spent = 10_001)],
  ];

  it.each(breakers.map(([code], k) => [code, k] as const))(
    'a payment breaking %s and every later rule reports it',
    (code, k) => {
      const c: Case = { fields: {}, ctx: {} };
      for (let i = breakers.length - 1; i >= k; i--) breakers[i]![1](c);
      expectCode(check(c.fields, c.ctx), code);
    },
  );
});

describe('the device clock', () => {
  it('earlier than the latest bank time seen is PROTO_CLOCK_BEHIND', () => {
    expectCode(() => checkedDeviceTime(NOW - 1, NOW), 'PROTO_CLOCK_BEHIND', {
      deviceNow: NOW - 1,
      lastBankTime: NOW,
    });
  });

  it('at or after the latest bank time seen, or with none seen yet, is used as it is', () => {
    expect(checkedDeviceTime(NOW, NOW)).toBe(NOW);
    expect(checkedDeviceTime(NOW + 5, NOW)).toBe(NOW + 5);
    expect(checkedDeviceTime(NOW, undefined)).toBe(NOW);
  });
});

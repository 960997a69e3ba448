/** Money (money.ts): integer minor units with a currency; no float, no negative, no mixing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, minorExponent, Money } from '../src/index.js';
import { expectCode } from './helpers.js';

const currency = fc.constantFrom('EUR', 'JPY', 'KWD', 'USD', 'BHD', 'KRW');

describe('Money', () => {
  it('prints minor units exactly in the currency’s decimals: JPY 0, EUR 2, KWD 3', () => {
    expect(Money.of(1250, 'JPY').toString()).toBe('1250 JPY');
    expect(Money.of(1250, 'EUR').toString()).toBe('12.50 EUR');
    expect(Money.of(1250, 'KWD').toString()).toBe('1.250 KWD');
    expect(Money.of(5, 'EUR').toString()).toBe('0.05 EUR');
    expect(Money.of(7, 'KWD').toString()).toBe('0.007 KWD');
    expect(Money.of(0, 'EUR').toString()).toBe('0.00 EUR');
    expect(Money.of(MAX_AMOUNT, 'EUR').toString()).toBe('90071992547409.91 EUR');
    expect([minorExponent('JPY'), minorExponent('EUR'), minorExponent('KWD')]).toEqual([0, 2, 3]);
  });

  it('takes minor units as a safe integer, a decimal string or a bigint', () => {
    expect(Money.of('1250', 'EUR').minor).toBe(1250);
    expect(Money.of(1250n, 'EUR').minor).toBe(1250);
    expect(Money.of(String(MAX_AMOUNT), 'EUR').minor).toBe(MAX_AMOUNT);
  });

  it.each<[number | string | bigint, string]>([
    [1.5, 'a float'],
    [-1, 'a negative'],
    [2 ** 53, '2^53'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'infinity'],
    ['1.5', 'a decimal string'],
    ['-1', 'a negative string'],
    ['01', 'a leading zero'],
    ['9007199254740992', 'a string past 2^53 − 1'],
    [-1n, 'a negative bigint'],
    [2n ** 53n, 'a bigint past 2^53 − 1'],
  ])('refuses %s (%s) with PROTO_AMOUNT_INVALID', (minor) => {
    expectCode(() => Money.of(minor, 'EUR'), 'PROTO_AMOUNT_INVALID');
  });

  it('refuses a currency that is not an ISO 4217 code', () => {
    expectCode(() => Money.of(1, 'eur'), 'PROTO_SCHEMA');
    expectCode(() => Money.of(1, 'EURO'), 'PROTO_SCHEMA');
  });

  it('parses what people type in the currency’s decimals', () => {
    expect(Money.parse('12.50', 'EUR').minor).toBe(1250);
    expect(Money.parse('12.5', 'EUR').minor).toBe(1250);
    expect(Money.parse('12', 'EUR').minor).toBe(1200);
    expect(Money.parse('12,50', 'EUR').minor).toBe(1250);
    expect(Money.parse(' 0.05 ', 'EUR').minor).toBe(5);
    expect(Money.parse('1.234', 'KWD').minor).toBe(1234);
    expect(Money.parse('1500', 'JPY').minor).toBe(1500);
  });

  it.each<[string, string]>([
    ['12.505', 'EUR'],
    ['12.5', 'JPY'],
    ['1.2345', 'KWD'],
    ['-1', 'EUR'],
    ['1e3', 'EUR'],
    ['', 'EUR'],
    ['twelve', 'EUR'],
    ['1.2.3', 'EUR'],
    ['999999999999999.99', 'KWD'],
  ])('refuses to parse %j in %s with PROTO_AMOUNT_INVALID', (text, cur) => {
    expectCode(() => Money.parse(text, cur), 'PROTO_AMOUNT_INVALID');
  });

  it('adds, subtracts and compares in one currency', () => {
    const a = Money.of(1250, 'EUR');
    const b = Money.of(250, 'EUR');
    expect(a.plus(b).toString()).toBe('15.00 EUR');
    expect(a.minus(b).toString()).toBe('10.00 EUR');
    expect([a.compare(b), b.compare(a), a.compare(Money.of(1250, 'EUR'))]).toEqual([1, -1, 0]);
  });

  it('refuses a negative difference and a sum past 2^53 − 1 with PROTO_AMOUNT_INVALID', () => {
    expectCode(() => Money.of(1, 'EUR').minus(Money.of(2, 'EUR')), 'PROTO_AMOUNT_INVALID');
    expectCode(() => Money.of(MAX_AMOUNT, 'EUR').plus(Money.of(1, 'EUR')), 'PROTO_AMOUNT_INVALID');
  });

  it('refuses to combine or compare two currencies with PROTO_CURRENCY_MISMATCH', () => {
    const eur = Money.of(100, 'EUR');
    const jpy = Money.of(100, 'JPY');
    expectCode(() => eur.plus(jpy), 'PROTO_CURRENCY_MISMATCH', { expected: 'EUR', actual: 'JPY' });
    expectCode(() => eur.minus(jpy), 'PROTO_CURRENCY_MISMATCH');
    expectCode(() => eur.compare(jpy), 'PROTO_CURRENCY_MISMATCH');
  });

  it('parses back what it prints, for any amount below 10^15 and any currency', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 15 - 1 }), currency, (minor, cur) => {
        const printed = Money.of(minor, cur).toString();
        expect(printed.endsWith(` ${cur}`)).toBe(true);
        expect(Money.parse(printed.slice(0, -4), cur).minor).toBe(minor);
      }),
      { numRuns: 300 },
    );
  });

  it('subtraction undoes addition and comparison follows the minor units', () => {
    const minor = fc.integer({ min: 0, max: 2 ** 52 });
    fc.assert(
      fc.property(minor, minor, currency, (x, y, cur) => {
        const a = Money.of(x, cur);
        const b = Money.of(y, cur);
        expect(a.plus(b).minus(b).minor).toBe(x);
        expect(a.compare(b)).toBe(Math.sign(x - y));
      }),
      { numRuns: 300 },
    );
  });
});

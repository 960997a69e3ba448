/**
 * Money: integer minor units with an ISO 4217 currency, in one immutable value type that
 * validates and does arithmetic (STYLE.md "Protocol and money"). No float ever touches it.
 */
import { MAX_AMOUNT } from './constants.js';
import { fail } from './errors.js';

/** Minor-unit exponents that differ from 2 (ISO 4217). */
const EXPONENT: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** Number of decimal places of a currency's minor unit. */
export function minorExponent(currency: string): number {
  return EXPONENT[currency] ?? 2;
}

/** An amount of money: a safe, non-negative integer of minor units and a currency. */
export class Money {
  private constructor(
    readonly minor: number,
    readonly currency: string,
  ) {}

  /**
   * Money from minor units (a safe integer, or a decimal string of one).
   * @throws PROTO_AMOUNT_INVALID for negatives, fractions, floats or values past 2^53 − 1.
   */
  static of(minor: number | bigint | string, currency: string): Money {
    if (!/^[A-Z]{3}$/.test(currency))
      fail('PROTO_SCHEMA', 'currency must be an ISO 4217 code', { what: 'currency' });
    let n: number;
    if (typeof minor === 'string') {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(minor))
        fail('PROTO_AMOUNT_INVALID', 'amount must be whole minor units', { minor });
      n = Number(minor);
    } else if (typeof minor === 'bigint') {
      if (minor < 0n || minor > BigInt(MAX_AMOUNT))
        fail('PROTO_AMOUNT_INVALID', 'amount out of range', { minor: String(minor) });
      n = Number(minor);
    } else {
      n = minor;
    }
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_AMOUNT) {
      fail('PROTO_AMOUNT_INVALID', 'amount must be a whole number of minor units within 2^53 - 1', {
        minor: String(minor),
      });
    }
    return new Money(n, currency);
  }

  /** Parses a decimal text such as "12.50" in the currency's minor unit ("12.5" is fine; "12.505" is not). */
  static parse(textAmount: string, currency: string): Money {
    const e = minorExponent(currency);
    const m = /^\s*(\d{1,16})(?:[.,](\d*))?\s*$/.exec(textAmount);
    if (!m || (m[2] !== undefined && m[2].length > e)) {
      fail('PROTO_AMOUNT_INVALID', `"${textAmount}" is not an amount in ${currency}`, {
        text: textAmount,
      });
    }
    const fraction = (m[2] ?? '').padEnd(e, '0');
    return Money.of(
      BigInt(m[1]!) * 10n ** BigInt(e) + BigInt(fraction === '' ? '0' : fraction),
      currency,
    );
  }

  private same(other: Money): void {
    if (other.currency !== this.currency) {
      fail('PROTO_CURRENCY_MISMATCH', `cannot combine ${this.currency} and ${other.currency}`, {
        expected: this.currency,
        actual: other.currency,
      });
    }
  }

  /** The sum. @throws PROTO_CURRENCY_MISMATCH, PROTO_AMOUNT_INVALID on overflow */
  plus(other: Money): Money {
    this.same(other);
    return Money.of(this.minor + other.minor, this.currency);
  }

  /** The difference. @throws PROTO_CURRENCY_MISMATCH, PROTO_AMOUNT_INVALID when negative */
  minus(other: Money): Money {
    this.same(other);
    return Money.of(this.minor - other.minor, this.currency);
  }

  /** −1, 0 or 1. @throws PROTO_CURRENCY_MISMATCH */
  compare(other: Money): number {
    this.same(other);
    return Math.sign(this.minor - other.minor);
  }

  /** "12.50 EUR": exact, by integer arithmetic. */
  toString(): string {
    const e = minorExponent(this.currency);
    const digits = String(this.minor).padStart(e + 1, '0');
    const whole = digits.slice(0, digits.length - e);
    return e === 0 ? `${whole} ${this.currency}` : `${whole}.${digits.slice(-e)} ${this.currency}`;
  }
}

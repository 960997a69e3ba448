/**
 * The console writes money exactly from the bank's decimal strings — past 2^53, negative, in
 * currencies with 0 or 3 decimals — reads what operators type as minor units, and turns a range
 * of days into the instants a statement asks for.
 */
import { describe, expect, it } from 'vitest';
import { dayRange, formatInstant, formatMinor, parseAmount } from '../src/format.js';

describe('formatMinor', () => {
  it('writes minor units in the currency’s decimals, exactly', () => {
    expect(formatMinor('0', 'EUR')).toBe('0.00 EUR');
    expect(formatMinor('5', 'EUR')).toBe('0.05 EUR');
    expect(formatMinor('123450', 'EUR')).toBe('1234.50 EUR');
    expect(formatMinor('500', 'JPY')).toBe('500 JPY');
    expect(formatMinor('1234', 'KWD')).toBe('1.234 KWD');
    // Past 2^53: a clearing balance of a large bank is still exact.
    expect(formatMinor('9223372036854775807', 'EUR')).toBe('92233720368547758.07 EUR');
  });

  it('writes money out with a minus sign a screen reader reads', () => {
    expect(formatMinor('-250', 'EUR')).toBe('\u22122.50 EUR');
  });

  it('refuses what is not an integer', () => {
    expect(() => formatMinor('1.5', 'EUR')).toThrow(RangeError);
    expect(() => formatMinor('', 'EUR')).toThrow(RangeError);
    expect(() => formatMinor('1e3', 'EUR')).toThrow(RangeError);
  });
});

describe('parseAmount', () => {
  it('reads amounts as people type them', () => {
    expect(parseAmount('12.50', 'EUR')).toBe('1250');
    expect(parseAmount('12,5', 'EUR')).toBe('1250');
    expect(parseAmount(' 7 ', 'EUR')).toBe('700');
    expect(parseAmount('500', 'JPY')).toBe('500');
  });

  it('refuses more decimals than the currency has, zero, and nonsense', () => {
    expect(() => parseAmount('1.005', 'EUR')).toThrow(/not an amount in EUR/);
    expect(() => parseAmount('1.5', 'JPY')).toThrow(RangeError);
    expect(() => parseAmount('0.00', 'EUR')).toThrow(/more than 0/);
    expect(() => parseAmount('-1', 'EUR')).toThrow(RangeError);
    expect(() => parseAmount('ten', 'EUR')).toThrow(RangeError);
    expect(() => parseAmount('90071992547409.92', 'EUR')).toThrow(/2\^53/);
  });
});

describe('dayRange', () => {
  it('covers both days, from midnight UTC to the midnight after the last day', () => {
    expect(dayRange('2026-12-01', '2026-12-06')).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-07T00:00:00.000Z',
    });
    expect(dayRange('2026-12-06', '2026-12-06').to).toBe('2026-12-07T00:00:00.000Z');
  });

  it('refuses a range backwards or days that are not dates', () => {
    expect(() => dayRange('2026-12-06', '2026-12-01')).toThrow(/after the last day/);
    expect(() => dayRange('06/12/2026', '2026-12-06')).toThrow(/YYYY-MM-DD/);
  });
});

describe('formatInstant', () => {
  it('writes the bank’s instants in UTC, and a missing one as a dash', () => {
    expect(formatInstant('2026-12-06T03:12:45.123Z')).toBe('2026-12-06 03:12:45 UTC');
    expect(formatInstant(null)).toBe('—');
  });
});

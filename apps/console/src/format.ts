/**
 * How the console writes money, instants and dates: exactly, by integer arithmetic on the bank's
 * decimal strings (a balance may pass 2^53 and a movement may be negative, so not through Money).
 */
import { minorExponent } from '@offpay/protocol';

/**
 * "1234.50 EUR", "−2.50 EUR" from minor units as the bank writes them (a decimal string of a
 * signed integer). @throws RangeError when `minor` is not one
 */
export function formatMinor(minor: string, currency: string): string {
  if (!/^-?(0|[1-9][0-9]*)$/.test(minor)) throw new RangeError('minor: a decimal integer');
  const negative = minor.startsWith('-');
  const digits = (negative ? minor.slice(1) : minor).padStart(minorExponent(currency) + 1, '0');
  const e = minorExponent(currency);
  const whole = digits.slice(0, digits.length - e);
  const text = e === 0 ? whole : `${whole}.${digits.slice(-e)}`;
  // U+2212 MINUS SIGN: read out as "minus" by screen readers, unlike a hyphen.
  return `${negative && minor !== '-0' ? '\u2212' : ''}${text} ${currency}`;
}

/**
 * Minor units from what an operator types ("12.50", "12,5", "12") in `currency`, as the decimal
 * string the bank's contract takes. @throws RangeError with words for the form
 */
export function parseAmount(text: string, currency: string): string {
  const e = minorExponent(currency);
  const m = /^\s*(\d{1,16})(?:[.,](\d*))?\s*$/.exec(text);
  if (!m || (m[2] !== undefined && m[2].length > e)) {
    throw new RangeError(`"${text}" is not an amount in ${currency}`);
  }
  const minor = BigInt(m[1]!) * 10n ** BigInt(e) + BigInt((m[2] ?? '').padEnd(e, '0') || '0');
  if (minor < 1n || minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`The amount must be more than 0 and at most 2^53 − 1 minor units`);
  }
  return minor.toString();
}

/** "2026-12-06 03:12:45 UTC": an instant the bank wrote, in UTC, sortable and unambiguous. */
export function formatInstant(iso: string | null): string {
  if (iso === null) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Today's date in UTC as YYYY-MM-DD (the bank's day boundaries are UTC). */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The instants of a date range typed as two YYYY-MM-DD dates, both days included: from the first
 * day's midnight (UTC) to the midnight after the last day. @throws RangeError with words
 */
export function dayRange(from: string, to: string): { from: string; to: string } {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) throw new RangeError('Dates are YYYY-MM-DD');
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError('Not a calendar date');
  if (start > end) throw new RangeError('The first day is after the last day');
  return {
    from: new Date(start).toISOString(),
    to: new Date(end + 86_400_000).toISOString(),
  };
}

/**
 * Field schemas the routes share: money as decimal strings of minor units, serials, hex and
 * base64url bytes, instants and protocol integers. Every one bounds its length; none transforms,
 * so the bank serialises answers with the same schema a client parses them with.
 */
import { MAX_AMOUNT } from '@offpay/protocol';
import { z } from 'zod';

/** Largest value of a Postgres `bigint` column (balances and settled totals live in one). */
const INT8_MAX = 2n ** 63n - 1n;

/**
 * True when `s` is a decimal integer whose magnitude is at most `max`. zod runs refinements even
 * after a failed regex, so this must not throw on any string.
 */
function within(s: string, max: bigint): boolean {
  if (!/^-?\d{1,19}$/.test(s)) return false;
  const n = BigInt(s);
  return n <= max && n >= -max;
}

/** An amount of minor units: a whole number 1 … 2^53 − 1 as a decimal string. */
export const amountMinor = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]{0,15}$/, 'whole minor units ≥ 1, as a decimal string')
  .refine((s) => within(s, BigInt(MAX_AMOUNT)), 'at most 2^53 − 1')
  .describe('Minor units (cents) as a decimal string, 1 … 2^53 − 1');

/** A balance or a total: 0 … 2^63 − 1 minor units as a decimal string. */
export const balanceMinor = z
  .string()
  .max(19)
  .regex(/^(0|[1-9][0-9]{0,18})$/, 'whole minor units ≥ 0, as a decimal string')
  .refine((s) => within(s, INT8_MAX), 'at most 2^63 − 1')
  .describe('Minor units (cents) as a decimal string, never negative');

/** A signed movement of money: ±(2^63 − 1) minor units as a decimal string. */
export const signedMinor = z
  .string()
  .max(20)
  .regex(/^-?(0|[1-9][0-9]{0,18})$/, 'whole minor units, as a decimal string')
  .refine((s) => within(s, INT8_MAX), 'within ±(2^63 − 1)')
  .describe('Minor units (cents) as a decimal string; negative: money out');

/**
 * A row id of a Postgres `bigint` column (postings, transfers, audit entries): 1 … 2^63 − 1 as a
 * decimal string. A larger value would reach SQL and fail there, so it is refused here (400).
 */
export const rowId = z
  .string()
  .max(19)
  .regex(/^[1-9][0-9]{0,18}$/, 'a row id is a decimal integer ≥ 1')
  .refine((s) => within(s, INT8_MAX), 'a row id is at most 2^63 − 1')
  .describe('Row id, decimal string, 1 … 2^63 − 1');

/** A cursor over row ids: {@link rowId} or `0` (before the first row). */
export const rowCursor = z
  .string()
  .max(19)
  .regex(/^(0|[1-9][0-9]{0,18})$/, 'a cursor is a decimal integer ≥ 0')
  .refine((s) => within(s, INT8_MAX), 'a cursor is at most 2^63 − 1');

/** An ISO 4217 currency code. */
export const currency = z
  .string()
  .length(3)
  .regex(/^[A-Z]{3}$/, 'three capital letters (ISO 4217)')
  .describe('ISO 4217 currency code');

/** A certificate serial (payer or payee): 1 … 2^53 − 1 as a decimal string. */
export const serial = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]{0,15}$/, 'a serial is a decimal integer ≥ 1')
  .refine((s) => within(s, BigInt(MAX_AMOUNT)), 'a serial is at most 2^53 − 1')
  .describe('Certificate serial, decimal string');

/** Exactly `bytes` bytes as lowercase hex. */
export function hex(bytes: number) {
  return z
    .string()
    .length(bytes * 2)
    .regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lowercase hex`);
}

/** At most `maxBytes` bytes as lowercase hex (possibly none). */
export function hexUpTo(maxBytes: number) {
  return z
    .string()
    .max(maxBytes * 2)
    .regex(/^(?:[0-9a-f]{2})*$/, 'bytes as lowercase hex');
}

/** Unpadded base64url length of `n` bytes (RFC 4648 §5). */
export const base64UrlLength = (n: number): number => Math.ceil((n * 4) / 3);

// The last character of unpadded base64url carries 2 (length ≡ 2 mod 4) or 4 (≡ 3) spare bits;
// canonical text has them zero, so each byte string has exactly one accepted text.
const LAST_OF_TWO = /[AQgw]$/;
const LAST_OF_THREE = /[AEIMQUYcgkosw048]$/;

/** True when `s` is canonical unpadded base64url (RFC 4648 §5): alphabet, length and spare bits. */
export function isCanonicalBase64Url(s: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return false;
  switch (s.length % 4) {
    case 0:
      return true;
    case 2:
      return LAST_OF_TWO.test(s);
    case 3:
      return LAST_OF_THREE.test(s);
    default:
      return false;
  }
}

/** Exactly `bytes` bytes as canonical unpadded base64url. */
export function base64UrlBytes(bytes: number, what: string) {
  return z
    .string()
    .length(base64UrlLength(bytes), `${what}: ${bytes} bytes as unpadded base64url`)
    .refine(isCanonicalBase64Url, `${what} is not canonical base64url`)
    .describe(`${what}: ${bytes} bytes, unpadded base64url`);
}

/** `minBytes` … `maxBytes` bytes as canonical unpadded base64url. */
export function base64UrlUpTo(maxBytes: number, what: string, minBytes = 1) {
  return z
    .string()
    .min(base64UrlLength(minBytes), `${what} is empty`)
    .max(base64UrlLength(maxBytes), `${what}: at most ${maxBytes} bytes`)
    .refine(isCanonicalBase64Url, `${what} is not canonical base64url`);
}

/** An instant the bank writes: ISO 8601 in UTC (`Date.prototype.toISOString`). */
export const instant = z.iso.datetime().max(30);

/** An instant a client sends: ISO 8601 with an offset, a real calendar date. */
export const instantInput = z.iso
  .datetime({ offset: true })
  .max(40)
  // A value Date cannot represent must never reach SQL as NaN.
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a calendar date');

/** Unix seconds as the protocol carries them (uint32, docs/protocol.md §1). */
export const unixSeconds = z.number().int().min(0).max(0xffffffff);

/** A position in a payee's ledger (0 … 2^53 − 1). */
export const ledgerIndex = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A UUID the bank assigned (users, accounts). */
export const uuid = z.uuid().length(36);

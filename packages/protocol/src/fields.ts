/**
 * Field readers for decoded CBOR arrays: each checks one field's type and range and throws
 * PROTO_SCHEMA naming the message and field (docs/protocol.md §3). Used by every message decoder.
 */
import { decodeCbor, type CborValue } from './cbor.js';
import { isValidPublicKey } from '@offpay/crypto';
import { LEN, VERSION } from './constants.js';
import { isDisplayText } from './display-text.js';
import { fail } from './errors.js';

/**
 * Decodes CBOR bytes of at most `maxBytes` into an array (of exactly `arity` items when given).
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_SCHEMA
 */
export function decodeArray(
  bytes: Uint8Array,
  what: string,
  maxBytes: number,
  arity?: number,
): CborValue[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  if (bytes.length > maxBytes) {
    fail('PROTO_TOO_LARGE', `${what} is ${bytes.length} bytes; the limit is ${maxBytes}`, {
      what,
      limit: maxBytes,
      actual: bytes.length,
    });
  }
  return expectArray(decodeCbor(bytes), what, arity);
}

/** Checks that a decoded value is an array (of exactly `arity` items when given). */
export function expectArray(
  value: CborValue | undefined,
  what: string,
  arity?: number,
): CborValue[] {
  if (!Array.isArray(value)) fail('PROTO_SCHEMA', `${what} must be an array`, { what });
  if (arity !== undefined && value.length !== arity) {
    fail('PROTO_SCHEMA', `${what} must have ${arity} fields, has ${value.length}`, { what });
  }
  return value;
}

/**
 * Checks the version, the first item of every message (docs/protocol.md §1 "Versions"): it must
 * be an unsigned integer — in every version of offpay, so anything else is not an offpay message
 * at all (PROTO_SCHEMA) — and it must be 1 (else PROTO_VERSION_UNSUPPORTED).
 */
export function requireVersion(items: CborValue[], what: string): void {
  const version = items[0];
  if (typeof version !== 'number' || version < 0) {
    fail('PROTO_SCHEMA', `${what} must start with its version, an unsigned integer`, {
      what: `${what} version`,
    });
  }
  if (version !== VERSION) {
    fail('PROTO_VERSION_UNSUPPORTED', `${what} has version ${version}; only ${VERSION} is known`, {
      what,
      version,
    });
  }
}

/**
 * Decodes a tbs as far as its version: the bound, the CBOR, the array, then the version — so an
 * unknown version gives PROTO_VERSION_UNSUPPORTED whatever else changed (arity, field types, the
 * envelope around it).
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_SCHEMA, PROTO_VERSION_UNSUPPORTED
 */
export function openTbs(tbs: Uint8Array, what: string, maxBytes: number): CborValue[] {
  const items = decodeArray(tbs, what, maxBytes);
  requireVersion(items, what);
  return items;
}

/** A non-negative safe integer within [min, max]. */
export function uint(
  value: CborValue | undefined,
  what: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail('PROTO_SCHEMA', `${what} must be an integer in [${min}, ${max}]`, { what });
  }
  return value;
}

// Keys already proven to be valid points. A batch repeats each payer certificate's key on every
// entry, and the point check (a square root) is the costliest part of decoding; only positive
// answers are kept, and the set is simply cleared when full.
const VALID_KEYS_MAX = 4096;
const validKeys = new Set<string>();

function isCompressedPoint(key: Uint8Array): boolean {
  if (key[0] !== 2 && key[0] !== 3) return false;
  const id = String.fromCharCode(...key);
  if (validKeys.has(id)) return true;
  if (!isValidPublicKey(key)) return false;
  if (validKeys.size >= VALID_KEYS_MAX) validKeys.clear();
  validKeys.add(id);
  return true;
}

/** A 33-byte compressed SEC1 public key that is a valid P-256 point. */
export function publicKey(value: CborValue | undefined, what: string): Uint8Array {
  const key = bytes(value, what, LEN.publicKey);
  if (!isCompressedPoint(key)) {
    fail('PROTO_SCHEMA', `${what} is not a compressed P-256 public key`, { what });
  }
  return key;
}

/** Largest time (Unix seconds) on the wire: 2^32 − 1, in the year 2106. Keeps payments in one QR code. */
export const MAX_TIME = 0xffffffff;

/** A time in Unix seconds, 0 … 2^32 − 1. */
export function time(value: CborValue | undefined, what: string): number {
  return uint(value, what, 0, MAX_TIME);
}

/** A byte string of exactly `length` bytes (or at most `maxLength` when `length` is undefined). */
export function bytes(
  value: CborValue | undefined,
  what: string,
  length?: number,
  maxLength?: number,
): Uint8Array {
  if (!(value instanceof Uint8Array))
    fail('PROTO_SCHEMA', `${what} must be a byte string`, { what });
  if (length !== undefined && value.length !== length) {
    fail('PROTO_SCHEMA', `${what} must be ${length} bytes`, { what });
  }
  if (maxLength !== undefined && value.length > maxLength) {
    fail('PROTO_SCHEMA', `${what} must be at most ${maxLength} bytes`, { what });
  }
  return value;
}

const utf8 = new TextEncoder();

/** A text string of at most `maxBytes` UTF-8 bytes, optionally matching `pattern`. */
export function text(
  value: CborValue | undefined,
  what: string,
  maxBytes: number,
  pattern?: RegExp,
): string {
  if (typeof value !== 'string') fail('PROTO_SCHEMA', `${what} must be a text string`, { what });
  if (utf8.encode(value).length > maxBytes) {
    fail('PROTO_SCHEMA', `${what} must be at most ${maxBytes} bytes`, { what });
  }
  if (pattern && !pattern.test(value))
    fail('PROTO_SCHEMA', `${what} has an invalid format`, { what });
  return value;
}

/**
 * Display text (a display name, a memo): {@link isDisplayText} with these bounds.
 * @throws PROTO_SCHEMA naming the field
 */
export function displayText(
  value: CborValue | undefined,
  what: string,
  maxBytes: number,
  minBytes: number,
): string {
  if (typeof value !== 'string') fail('PROTO_SCHEMA', `${what} must be a text string`, { what });
  if (!isDisplayText(value, maxBytes, minBytes)) {
    fail(
      'PROTO_SCHEMA',
      `${what} must be ${minBytes} to ${maxBytes} UTF-8 bytes without control, format or private-use characters`,
      { what },
    );
  }
  return value;
}

/** An ISO 4217 alphabetic currency code. */
export function currency(value: CborValue | undefined, what: string): string {
  return text(value, what, 3, /^[A-Z]{3}$/);
}

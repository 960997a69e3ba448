/**
 * Deterministic CBOR (RFC 8949 §4.2.1) for the subset protocol v1 uses: unsigned and negative
 * integers within ±(2^53 − 1), byte strings, UTF-8 text strings and arrays. Nothing else exists
 * on the wire: maps, tags, floats, simple values and indefinite lengths are refused, so every
 * value has exactly one encoding and a decoder can require it (docs/protocol.md §1).
 *
 * Hand-written rather than cborg: for this subset a strict decoder is ~150 lines, gives every
 * refusal its exact protocol code, and bounds every allocation by the input length. The tests
 * cross-check the encoder against cborg's RFC 8949 mode.
 */
import { fail } from './errors.js';

/** A value of the v1 CBOR subset. */
export type CborValue = number | string | Uint8Array | CborValue[];

/** Deepest nesting of arrays a decoder accepts. */
export const MAX_CBOR_DEPTH = 8;

// ignoreBOM: a leading U+FEFF is content, not a byte-order mark to drop (two encodings must never
// decode to one value).
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const textEncoder = new TextEncoder();
// In a `u` regular expression a surrogate pair is one code point: only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function head(major: number, value: number, out: number[]): void {
  const m = major << 5;
  if (value < 24) out.push(m | value);
  else if (value < 0x100) out.push(m | 24, value);
  else if (value < 0x10000) out.push(m | 25, value >> 8, value & 0xff);
  else if (value < 0x100000000) {
    out.push(
      m | 26,
      (value >>> 24) & 0xff,
      (value >>> 16) & 0xff,
      (value >>> 8) & 0xff,
      value & 0xff,
    );
  } else {
    const hi = Math.floor(value / 0x100000000);
    const lo = value >>> 0;
    out.push(m | 27, 0, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    out.push((lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
  }
}

function encodeInto(value: CborValue, out: number[], depth: number): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError('CBOR integers must be safe integers');
    if (value >= 0) head(0, value, out);
    else head(1, -1 - value, out);
  } else if (typeof value === 'string') {
    // A lone surrogate would be encoded as U+FFFD: two strings must never give one encoding.
    if (LONE_SURROGATE.test(value)) throw new RangeError('CBOR text must be well-formed Unicode');
    const bytes = textEncoder.encode(value);
    head(3, bytes.length, out);
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    head(2, value.length, out);
    for (const b of value) out.push(b);
  } else if (Array.isArray(value)) {
    if (depth >= MAX_CBOR_DEPTH) throw new RangeError('CBOR nesting too deep');
    head(4, value.length, out);
    for (const item of value) encodeInto(item, out, depth + 1);
  } else {
    throw new TypeError('not a v1 CBOR value');
  }
}

/** Encodes a value deterministically (shortest heads, definite lengths). */
export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  encodeInto(value, out, 0);
  return Uint8Array.from(out);
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) fail('PROTO_CBOR_MALFORMED', 'CBOR input ends early');
    return this.bytes[this.pos++]!;
  }

  take(n: number): Uint8Array {
    if (n > this.bytes.length - this.pos)
      fail('PROTO_CBOR_MALFORMED', 'CBOR length runs past the end');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

// RFC 8949 §3: the argument of a head, refusing non-shortest forms (§4.2.1) and values past 2^53 − 1.
function readArgument(r: Reader, info: number): number {
  if (info < 24) return info;
  if (info === 31) fail('PROTO_CBOR_FORBIDDEN', 'indefinite lengths are not allowed');
  const size = 1 << (info - 24);
  let value = 0;
  for (const b of r.take(size)) value = value * 256 + b;
  if (value > Number.MAX_SAFE_INTEGER) fail('PROTO_CBOR_FORBIDDEN', 'integer beyond 2^53 - 1');
  const minimum = size === 1 ? 24 : 2 ** (8 * (size / 2));
  if (value < minimum)
    fail('PROTO_CBOR_NONCANONICAL', 'integer or length not in its shortest form');
  return value;
}

function readValue(r: Reader, depth: number): CborValue {
  const initial = r.byte();
  const major = initial >> 5;
  const info = initial & 0x1f;
  // RFC 8949 §3: additional information 28–30 is reserved, and 31 on major types 0, 1, 6 and 7
  // (a break outside an indefinite item) is not well-formed either.
  if ((info >= 28 && info <= 30) || (info === 31 && [0, 1, 6, 7].includes(major))) {
    fail('PROTO_CBOR_MALFORMED', `not well-formed: initial byte 0x${initial.toString(16)}`);
  }
  switch (major) {
    case 0:
      return readArgument(r, info);
    case 1: {
      const n = readArgument(r, info);
      if (n >= Number.MAX_SAFE_INTEGER) fail('PROTO_CBOR_FORBIDDEN', 'integer beyond -(2^53 - 1)');
      return -1 - n;
    }
    case 2:
      // A copy: callers keep byte strings after the input buffer is reused.
      return new Uint8Array(r.take(readArgument(r, info)));
    case 3: {
      const raw = r.take(readArgument(r, info));
      try {
        return textDecoder.decode(raw);
      } catch {
        return fail('PROTO_CBOR_MALFORMED', 'text string is not valid UTF-8');
      }
    }
    case 4: {
      if (depth >= MAX_CBOR_DEPTH) fail('PROTO_CBOR_FORBIDDEN', 'CBOR nesting too deep');
      const n = readArgument(r, info);
      // Every item takes at least one byte: bound the allocation by what is left.
      if (n > r.bytes.length - r.pos) fail('PROTO_CBOR_MALFORMED', 'array longer than the input');
      const items: CborValue[] = [];
      for (let i = 0; i < n; i++) items.push(readValue(r, depth + 1));
      return items;
    }
    case 5:
      return fail('PROTO_CBOR_FORBIDDEN', 'maps are not used in protocol v1');
    case 6:
      return fail('PROTO_CBOR_FORBIDDEN', 'tags are not allowed');
    default:
      return fail('PROTO_CBOR_FORBIDDEN', 'floats and simple values are not allowed');
  }
}

/**
 * Decodes exactly one value from `bytes`, strictly: trailing bytes, non-shortest forms and every
 * forbidden construct are refused.
 * @throws PROTO_CBOR_MALFORMED, PROTO_CBOR_NONCANONICAL, PROTO_CBOR_FORBIDDEN
 */
export function decodeCbor(bytes: Uint8Array): CborValue {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  const r = new Reader(bytes);
  const value = readValue(r, 0);
  if (r.pos !== bytes.length) fail('PROTO_CBOR_MALFORMED', 'trailing bytes after the CBOR value');
  return value;
}

/**
 * Byte helpers. Everything in this package is `Uint8Array` in, `Uint8Array` out; hex and
 * base64url exist only for the edges (files, logs of public data, test vectors).
 */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';

/** Throws `TypeError` unless `value` is a `Uint8Array`, and `RangeError` unless its length fits. */
export function assertBytes(value: unknown, name: string, ...lengths: number[]): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (lengths.length > 0 && !lengths.includes(value.length)) {
    throw new RangeError(`${name} must be ${lengths.join(' or ')} bytes, got ${value.length}`);
  }
  return value;
}

/** Concatenates byte arrays into a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += assertBytes(p, 'part').length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Constant-time equality: the time taken depends only on the lengths, never on where the inputs
 * differ. Returns `false` for inputs of different lengths or of the wrong type.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** `n` bytes from the platform's cryptographically secure generator (`crypto.getRandomValues`). */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 65536) throw new RangeError('n must be 0..65536');
  return nobleRandomBytes(n);
}

/** Big-endian unsigned integer of `length` bytes (RFC 9180 I2OSP); `value` must fit. */
export function i2osp(value: number | bigint, length: number): Uint8Array {
  let v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(8 * length)) {
    throw new RangeError(`value does not fit in ${length} bytes`);
  }
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const textEncoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/**
 * A domain-separation label as bytes: one length byte, then the ASCII label. The length prefix
 * makes sure that no label is a prefix of another (docs/protocol.md §2).
 */
export function labelBytes(label: string): Uint8Array {
  if (!/^[\x21-\x7e]{1,255}$/.test(label))
    throw new RangeError('label must be 1..255 printable ASCII');
  return concatBytes(Uint8Array.of(label.length), utf8(label));
}

/** Lower-case hex of the bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of assertBytes(bytes, 'bytes')) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Parses hex (either case, even length); throws `RangeError` on anything else. */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError('hex must be a string');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError('invalid hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i]));

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64URL[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}

/**
 * Parses unpadded base64url strictly: no padding, no other alphabet, no non-zero trailing bits,
 * so every byte string has exactly one accepted text.
 */
export function fromBase64Url(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  if (text.length % 4 === 1) throw new RangeError('invalid base64url length');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of text) {
    const v = B64URL_INDEX.get(c);
    if (v === undefined) throw new RangeError('invalid base64url character');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new RangeError('non-canonical base64url');
  return out;
}

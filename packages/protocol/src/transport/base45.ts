/**
 * Base45 (RFC 9285): 2 bytes in 3 characters of the QR alphanumeric set. Our own ~50 lines
 * because the `base45` npm package needs Node's `Buffer` and accepts invalid text (it does not
 * check the alphabet, the length or the value ranges of RFC 9285 §4).
 */
import { ProtocolError } from '../errors.js';

/** The RFC 9285 §4 alphabet: exactly the 45 characters of QR alphanumeric mode, in value order. */
export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const VALUE = new Map([...BASE45_ALPHABET].map((c, i) => [c, i]));

/** Number of base45 characters for `byteLength` bytes: 3 per pair, 2 for an odd last byte. */
export function base45Length(byteLength: number): number {
  return 3 * Math.floor(byteLength / 2) + 2 * (byteLength % 2);
}

/** Largest number of bytes whose base45 form fits in `chars` characters. */
export function base45Capacity(chars: number): number {
  return 2 * Math.floor(chars / 3) + (chars % 3 === 2 ? 1 : 0);
}

/** Base45 text of `bytes` (RFC 9285 §4.1). Throws `TypeError` unless `bytes` is a Uint8Array. */
export function encodeBase45(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    // n = a·256 + b = c + d·45 + e·45², written c d e (least significant first).
    const n = bytes[i]! * 256 + bytes[i + 1]!;
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45) % 45]!;
    out += BASE45_ALPHABET[Math.floor(n / 2025)]!;
  }
  if (bytes.length % 2 === 1) {
    const a = bytes[bytes.length - 1]!;
    out += BASE45_ALPHABET[a % 45]! + BASE45_ALPHABET[Math.floor(a / 45)]!;
  }
  return out;
}

/**
 * Bytes of base45 `text`, strictly (RFC 9285 §4.2): only the 45 characters, a length that is not
 * 1 mod 3, no triple above 65535 and no final pair above 255. With these checks every byte string
 * has exactly one accepted text.
 *
 * @throws PROTO_QR_INVALID when any of these rules is broken (details name the offset).
 */
export function decodeBase45(text: string): Uint8Array {
  if (text.length % 3 === 1) {
    throw new ProtocolError('PROTO_QR_INVALID', 'base45 text has an impossible length', {
      length: text.length,
    });
  }
  const out = new Uint8Array(base45Capacity(text.length));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const group = text.length - i >= 3 ? 3 : 2;
    let n = 0;
    for (let j = group - 1; j >= 0; j--) n = n * 45 + valueAt(text, i + j);
    if (group === 3) {
      if (n > 0xffff) invalidValue(i, n);
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) invalidValue(i, n);
      out[o++] = n;
    }
  }
  return out;
}

function valueAt(text: string, offset: number): number {
  const v = VALUE.get(text[offset]!);
  if (v === undefined) {
    throw new ProtocolError('PROTO_QR_INVALID', 'text holds a character outside base45', {
      offset,
    });
  }
  return v;
}

function invalidValue(offset: number, value: number): never {
  // RFC 9285 §4.2: e.g. "GGW" would be 65536, which does not fit in two bytes.
  throw new ProtocolError('PROTO_QR_INVALID', 'base45 group value is out of range', {
    offset,
    value,
  });
}

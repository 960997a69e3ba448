/**
 * Single-code QR text (DESIGN.md §4, docs/protocol.md §"QR"): `OP1:` followed by the base45
 * (RFC 9285) form of the message bytes, all in the QR alphanumeric character set so that a code
 * can be drawn in alphanumeric mode (5.5 bits per character).
 */
import { fail, ProtocolError } from '../errors.js';
import { base45Capacity, base45Length, decodeBase45, encodeBase45 } from './base45.js';

/** Prefix of a single-code offpay QR text: protocol v1, one code. */
export const QR_PREFIX = 'OP1:';

/**
 * Longest QR text accepted: 4296 characters, the alphanumeric capacity of the largest QR code
 * (version 40, error correction L; ISO/IEC 18004 Table 7). No real scan can be longer, so anything
 * longer is refused before any other work.
 */
export const MAX_QR_TEXT_CHARS = 4296;

/** Most bytes {@link encodeQrText} accepts: what fits in {@link MAX_QR_TEXT_CHARS} after the prefix. */
export const MAX_QR_BYTES = base45Capacity(MAX_QR_TEXT_CHARS - QR_PREFIX.length);

/**
 * Alphanumeric-mode capacity in characters at error correction M, for versions 1..40 (index 0 is
 * version 1), from ISO/IEC 18004:2015 Table 7; each entry checked against the `qrcode` package.
 */
export const QR_ALPHANUMERIC_CAPACITY_M: readonly number[] = Object.freeze([
  20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970,
  1035, 1134, 1248, 1326, 1451, 1542, 1637, 1732, 1839, 1994, 2113, 2238, 2369, 2506, 2632, 2780,
  2894, 3054, 3220, 3391,
]);

const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * The QR text for `bytes`: `OP1:` + base45(bytes).
 *
 * @throws TypeError unless `bytes` is a Uint8Array; RangeError when it is empty.
 * @throws PROTO_TOO_LARGE when the text would exceed {@link MAX_QR_TEXT_CHARS}
 *   (more than {@link MAX_QR_BYTES} bytes); use an animated sequence instead.
 */
export function encodeQrText(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) throw new RangeError('bytes must not be empty');
  if (bytes.length > MAX_QR_BYTES) {
    fail('PROTO_TOO_LARGE', 'These bytes do not fit in one QR code', {
      what: 'QR bytes',
      limit: MAX_QR_BYTES,
      actual: bytes.length,
    });
  }
  return QR_PREFIX + encodeBase45(bytes);
}

/**
 * The bytes of a scanned single-code QR text. Strict: surrounding whitespace is trimmed, then the
 * text must start with exactly `OP1:` (upper case) and the rest must be non-empty, valid base45.
 *
 * @throws PROTO_TOO_LARGE when the text is longer than {@link MAX_QR_TEXT_CHARS}.
 * @throws PROTO_QR_INVALID when the text is not a string, lacks the prefix, or is not strict base45.
 */
export function decodeQrText(text: string): Uint8Array {
  const body = readQrBody(text, QR_PREFIX);
  if (body.length === 0) fail('PROTO_QR_INVALID', 'This QR code holds no offpay data');
  return decodeBase45(body);
}

/**
 * The part of a scanned QR text after `prefix`, once its size and prefix are checked. Shared with
 * the animated parts; not part of the public API.
 *
 * @throws PROTO_TOO_LARGE, PROTO_QR_INVALID as {@link decodeQrText}.
 */
export function readQrBody(text: unknown, prefix: string): string {
  if (typeof text !== 'string') fail('PROTO_QR_INVALID', 'QR text must be a string');
  // Bound before trimming or copying anything (STYLE.md: bound what untrusted input drives).
  if (text.length > MAX_QR_TEXT_CHARS) {
    fail('PROTO_TOO_LARGE', 'This QR text is longer than any QR code can hold', {
      what: 'QR text',
      limit: MAX_QR_TEXT_CHARS,
      actual: text.length,
    });
  }
  // Trimming cannot eat data: base45 never ends in a space (a triple's last value is at most 32,
  // a pair's at most 5), and a leading base45 space sits after the prefix.
  const trimmed = text.trim();
  if (!trimmed.startsWith(prefix)) {
    throw new ProtocolError('PROTO_QR_INVALID', 'This QR code is not an offpay code', { prefix });
  }
  return trimmed.slice(prefix.length);
}

/**
 * The smallest QR version (1..40) whose alphanumeric-mode capacity at error correction M holds
 * `text`. A renderer that mixes in numeric-mode segments may fit it in the same or a smaller one.
 *
 * @throws RangeError when `text` has a character outside the QR alphanumeric set.
 * @throws PROTO_TOO_LARGE when `text` exceeds version 40 at level M (3391 characters).
 */
export function qrVersionFor(text: string): number {
  if (typeof text !== 'string' || !QR_ALPHANUMERIC.test(text)) {
    throw new RangeError('text must use only the QR alphanumeric characters');
  }
  const version = QR_ALPHANUMERIC_CAPACITY_M.findIndex((capacity) => capacity >= text.length) + 1;
  if (version === 0) {
    fail('PROTO_TOO_LARGE', 'This text does not fit in any QR code at error correction M', {
      what: 'QR text at level M',
      limit: QR_ALPHANUMERIC_CAPACITY_M[39]!,
      actual: text.length,
    });
  }
  return version;
}

/** Base45 characters needed for `byteLength` bytes in one code, prefix included. */
export function qrTextLength(byteLength: number): number {
  return QR_PREFIX.length + base45Length(byteLength);
}

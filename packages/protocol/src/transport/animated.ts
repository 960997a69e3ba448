/**
 * Animated QR: one payload too large for one code, shown as a loop of codes (DESIGN.md §4).
 * Byte layout, to be copied into docs/protocol.md §"QR":
 *
 * Part text  = "OP1M:" ‖ base45(part bytes)            (RFC 9285; all QR alphanumeric characters)
 * Part bytes = header (11 bytes) ‖ chunk
 *
 *   offset  size  field
 *   0       1     version   = 0x01
 *   1       1     index     0-based position of this chunk, index < total
 *   2       1     total     number of parts, 1..255
 *   3       4     length    payload length in bytes, uint32 big-endian, 1..65536 (MAX_ANIMATED_BYTES)
 *   7       4     checksum  first 4 bytes of SHA-256(payload) (FIPS 180-4)
 *   11      *     chunk     payload[index·size, min(length, (index+1)·size)), size = ⌈length/total⌉
 *
 * Splitting: a part text of at most M characters carries C = ⌊(M − 5)/3⌋·2 + (1 if (M − 5) mod 3 = 2)
 * − 11 chunk bytes (5 = prefix, 11 = header); total = ⌈length/C⌉ (at most 255), then every chunk has
 * size ⌈length/total⌉ except the last, which has the rest (never empty). A part is valid only if its
 * chunk has exactly the length this rule gives for its index, and a sequence only if
 * (total − 1)·size < length. So a payload and a total give exactly one sequence of parts.
 *
 * Receiving: parts are accepted in any order; the first valid part fixes (total, length, checksum);
 * a part with another triple belongs to another sequence (PROTO_QR_PART_MISMATCH), as does a part
 * repeating an index with a different chunk; an exact repeat is ignored. When all `total` chunks are
 * present they are concatenated by index and the checksum is compared (PROTO_QR_CHECKSUM, after
 * which the receiver starts over).
 */
import { equalBytes, sha256 } from '@offpay/crypto';
import { fail, ProtocolError } from '../errors.js';
import { base45Capacity, base45Length, decodeBase45, encodeBase45 } from './base45.js';
import { MAX_QR_TEXT_CHARS, readQrBody } from './qr.js';

/** Prefix of one part of an animated offpay QR sequence: protocol v1, multi-part. */
export const QR_PART_PREFIX = 'OP1M:';

/** Version byte of the part header. */
export const QR_PART_VERSION = 1;

/** Length of the part header in bytes (version, index, total, length, checksum). */
export const QR_PART_HEADER_LENGTH = 11;

/** Largest payload an animated sequence may carry: 64 KiB. */
export const MAX_ANIMATED_BYTES = 65536;

/** Most parts in one sequence (the `total` byte). */
export const MAX_QR_PARTS = 255;

/** Default text length per part: 600 characters, a version-15 code at error correction M. */
export const DEFAULT_CHARS_PER_PART = 600;

/** Smallest `maxCharsPerPart` that still carries one chunk byte. */
export const MIN_CHARS_PER_PART = QR_PART_PREFIX.length + base45Length(QR_PART_HEADER_LENGTH + 1);

const CHECKSUM_LENGTH = 4;

interface PartHeader {
  index: number;
  total: number;
  length: number;
  checksum: Uint8Array;
}

/** Progress of a {@link PartCollector}; `payload` is present once every part has arrived. */
export interface CollectProgress {
  received: number;
  total: number;
  payload?: Uint8Array;
}

/**
 * Splits `bytes` into animated-QR part texts, each at most `maxCharsPerPart` characters long.
 *
 * @throws TypeError unless `bytes` is a Uint8Array; RangeError when it is empty or when
 *   `maxCharsPerPart` is not an integer in MIN_CHARS_PER_PART..MAX_QR_TEXT_CHARS.
 * @throws PROTO_TOO_LARGE when `bytes` exceeds MAX_ANIMATED_BYTES or needs more than 255 parts.
 */
export function splitIntoParts(
  bytes: Uint8Array,
  maxCharsPerPart: number = DEFAULT_CHARS_PER_PART,
): string[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) throw new RangeError('bytes must not be empty');
  if (
    !Number.isSafeInteger(maxCharsPerPart) ||
    maxCharsPerPart < MIN_CHARS_PER_PART ||
    maxCharsPerPart > MAX_QR_TEXT_CHARS
  ) {
    throw new RangeError(
      `maxCharsPerPart must be an integer in ${MIN_CHARS_PER_PART}..${MAX_QR_TEXT_CHARS}`,
    );
  }
  checkLength(bytes.length);
  const perPart = base45Capacity(maxCharsPerPart - QR_PART_PREFIX.length) - QR_PART_HEADER_LENGTH;
  const total = Math.ceil(bytes.length / perPart);
  if (total > MAX_QR_PARTS) {
    fail('PROTO_TOO_LARGE', 'This payload needs too many QR parts', {
      what: 'animated QR parts',
      limit: MAX_QR_PARTS,
      actual: total,
    });
  }
  const checksum = sha256(bytes).subarray(0, CHECKSUM_LENGTH);
  const size = Math.ceil(bytes.length / total);
  const parts: string[] = [];
  for (let index = 0; index < total; index++) {
    const chunk = bytes.subarray(index * size, Math.min(bytes.length, (index + 1) * size));
    const header = encodeHeader({ index, total, length: bytes.length, checksum });
    const part = new Uint8Array(QR_PART_HEADER_LENGTH + chunk.length);
    part.set(header);
    part.set(chunk, QR_PART_HEADER_LENGTH);
    parts.push(QR_PART_PREFIX + encodeBase45(part));
  }
  return parts;
}

/**
 * Reassembles an animated sequence from scanned part texts, one at a time, in any order. Repeats
 * are ignored, so a scanner can feed it every frame. It keeps at most MAX_ANIMATED_BYTES.
 */
export class PartCollector {
  #header: PartHeader | undefined;
  #chunks: (Uint8Array | undefined)[] = [];
  #received = 0;
  #payload: Uint8Array | undefined;

  /**
   * Adds one scanned part and reports progress; `payload` is set once all parts are in. A failed
   * call leaves the collector as it was, except a checksum failure, which empties it.
   *
   * @throws PROTO_QR_INVALID when the text is not a well-formed part.
   * @throws PROTO_TOO_LARGE when the text or the announced payload is too large.
   * @throws PROTO_QR_PART_MISMATCH when the part belongs to another sequence (other total, length
   *   or checksum), or repeats an index with a different chunk; call {@link reset} to switch.
   * @throws PROTO_QR_CHECKSUM when the reassembled payload does not match its checksum.
   */
  add(text: string): CollectProgress {
    const { header, chunk } = parsePart(text);
    const current = this.#header ?? header;
    checkSameSequence(current, header);
    const known = this.#chunks[header.index];
    if (known !== undefined) {
      if (!equalBytes(known, chunk)) {
        fail('PROTO_QR_PART_MISMATCH', 'Two different parts claim the same position', {
          index: header.index,
        });
      }
      return this.progress();
    }
    this.#header = current;
    this.#chunks[header.index] = chunk;
    this.#received++;
    if (this.#received === current.total) this.#payload = this.#assemble(current);
    return this.progress();
  }

  /** Current progress; `total` is 0 before the first part. */
  progress(): CollectProgress {
    const total = this.#header?.total ?? 0;
    const progress: CollectProgress = { received: this.#received, total };
    if (this.#payload !== undefined) progress.payload = this.#payload.slice();
    return progress;
  }

  /** Forgets every part received, to start on another sequence. */
  reset(): void {
    this.#header = undefined;
    this.#chunks = [];
    this.#received = 0;
    this.#payload = undefined;
  }

  #assemble(header: PartHeader): Uint8Array {
    const payload = new Uint8Array(header.length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      payload.set(chunk!, offset);
      offset += chunk!.length;
    }
    if (!equalBytes(sha256(payload).subarray(0, CHECKSUM_LENGTH), header.checksum)) {
      this.reset();
      fail('PROTO_QR_CHECKSUM', 'The animated QR code was misread; scan it again from the start');
    }
    return payload;
  }
}

function encodeHeader(h: PartHeader): Uint8Array {
  const out = new Uint8Array(QR_PART_HEADER_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = QR_PART_VERSION;
  out[1] = h.index;
  out[2] = h.total;
  view.setUint32(3, h.length);
  out.set(h.checksum, 7);
  return out;
}

/** Decodes and checks one part text against the layout at the top of this file. */
function parsePart(text: string): { header: PartHeader; chunk: Uint8Array } {
  const bytes = decodeBase45(readQrBody(text, QR_PART_PREFIX));
  if (bytes.length <= QR_PART_HEADER_LENGTH) invalid('the part is too short');
  if (bytes[0] !== QR_PART_VERSION) invalid('unknown part version', { version: bytes[0]! });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: PartHeader = {
    index: bytes[1]!,
    total: bytes[2]!,
    length: view.getUint32(3),
    checksum: bytes.slice(7, QR_PART_HEADER_LENGTH),
  };
  if (header.total === 0 || header.index >= header.total) invalid('index is not below total');
  checkLength(header.length);
  const size = Math.ceil(header.length / header.total);
  if ((header.total - 1) * size >= header.length) invalid('total leaves an empty part');
  const expected = Math.min(size, header.length - header.index * size);
  const chunk = bytes.slice(QR_PART_HEADER_LENGTH);
  if (chunk.length !== expected) invalid('chunk has the wrong length', { expected });
  return { header, chunk };
}

function checkSameSequence(a: PartHeader, b: PartHeader): void {
  if (a.total !== b.total || a.length !== b.length || !equalBytes(a.checksum, b.checksum)) {
    fail('PROTO_QR_PART_MISMATCH', 'This code belongs to another animated QR sequence', {
      expectedTotal: a.total,
      actualTotal: b.total,
    });
  }
}

function checkLength(length: number): void {
  if (length === 0) invalid('the payload is empty');
  if (length > MAX_ANIMATED_BYTES) {
    fail('PROTO_TOO_LARGE', 'The animated QR payload is too large', {
      what: 'animated QR payload',
      limit: MAX_ANIMATED_BYTES,
      actual: length,
    });
  }
}

function invalid(reason: string, details: Record<string, number> = {}): never {
  throw new ProtocolError('PROTO_QR_INVALID', `This is not a valid animated QR part: ${reason}`, {
    reason,
    ...details,
  });
}

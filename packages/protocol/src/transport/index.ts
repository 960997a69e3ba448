/**
 * Transport encodings of protocol v1 (DESIGN.md §4, docs/protocol.md §"QR"): single QR codes,
 * animated QR sequences and files. Pure: strings and `Uint8Array` only, no Node built-ins.
 *
 * @example
 * ```ts
 * import { decodeQrText, encodeQrText, PartCollector, splitIntoParts } from './transport/index.js';
 * const text = encodeQrText(bytes); // 'OP1:…'
 * decodeQrText(text); // bytes
 * const collector = new PartCollector();
 * for (const part of splitIntoParts(big)) collector.add(part); // last call returns { payload }
 * ```
 */
export { BASE45_ALPHABET, base45Length, decodeBase45, encodeBase45 } from './base45.js';
export {
  decodeQrText,
  encodeQrText,
  MAX_QR_BYTES,
  MAX_QR_TEXT_CHARS,
  QR_ALPHANUMERIC_CAPACITY_M,
  QR_PREFIX,
  qrTextLength,
  qrVersionFor,
} from './qr.js';
export {
  DEFAULT_CHARS_PER_PART,
  MAX_ANIMATED_BYTES,
  MAX_QR_PARTS,
  MIN_CHARS_PER_PART,
  PartCollector,
  QR_PART_HEADER_LENGTH,
  QR_PART_PREFIX,
  QR_PART_VERSION,
  splitIntoParts,
  type CollectProgress,
} from './animated.js';
export {
  decodeFile,
  decodeFileValue,
  encodeFile,
  FILE_MESSAGE_TYPES,
  MAX_FILE_CHARS,
  MAX_READABLE_CHARS,
  MAX_READABLE_FIELDS,
  type DecodedFile,
  type FileMessageType,
  type ReadableFields,
} from './file.js';

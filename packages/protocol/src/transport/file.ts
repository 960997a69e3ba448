/**
 * The file form of a message (DESIGN.md §4): pretty JSON
 * `{"offpay": 1, "type": "<message type>", ...readable fields, "data": "<base64url of the bytes>"}`.
 * Only `offpay`, `type` and `data` mean anything; readable fields are for people reading the file
 * and are never trusted: whatever they say, the decoded bytes are the message.
 */
import { fromBase64Url, toBase64Url } from '@offpay/crypto';
import { z } from 'zod';
import { fail, ProtocolError } from '../errors.js';

/** Every kind of message that travels as a file, in the order of DESIGN.md. */
export const FILE_MESSAGE_TYPES = [
  'payment',
  'payment-request',
  'receipt',
  'settlement-batch',
  'settlement-result',
  'ledger',
  'backup',
  'revocation-list',
  'fraud-proof',
] as const;

/** The kind of message a file holds. */
export type FileMessageType = (typeof FILE_MESSAGE_TYPES)[number];

/** Readable, untrusted fields of a file: short strings or whole numbers, for people only. */
export type ReadableFields = Record<string, string | number>;

/** A decoded file: its message type, the message bytes and the (untrusted) readable fields. */
export interface DecodedFile {
  type: FileMessageType;
  data: Uint8Array;
  readable: ReadableFields;
}

/** Largest file accepted: 2 MiB of text (UTF-16 code units), checked before JSON.parse. */
export const MAX_FILE_CHARS = 2 * 1024 * 1024;

/** Most readable fields in one file. */
export const MAX_READABLE_FIELDS = 32;

/** Longest readable string value, in characters. */
export const MAX_READABLE_CHARS = 1024;

const FILE_VERSION = 1;
const CORE_KEYS: ReadonlySet<string> = new Set(['offpay', 'type', 'data']);
// Plain identifiers only: also keeps `__proto__` and other odd keys out of the result.
const READABLE_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

// Numbers shown to people are whole (an index, a count): no float ever rides along with money.
const readableValue = z.union([
  z.string().max(MAX_READABLE_CHARS),
  z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
]);

const coreSchema = z.strictObject({
  offpay: z.literal(FILE_VERSION, 'offpay must be 1 (this app reads version 1 files)'),
  type: z.enum(FILE_MESSAGE_TYPES, 'type is not a known offpay message type'),
  // Unpadded base64url (RFC 4648 §5); canonical trailing bits are checked when decoding.
  data: z
    .string()
    .min(1)
    .max(MAX_FILE_CHARS)
    .regex(/^[A-Za-z0-9_-]+$/, 'data is not base64url'),
});

/**
 * The file text for a message: pretty JSON (2-space indent, trailing newline) with the readable
 * fields between `type` and `data`.
 *
 * @throws TypeError unless `bytes` is a Uint8Array; RangeError for an empty `bytes`, an unknown
 *   `type`, or readable fields that are reserved, badly named, too long or too many.
 * @throws PROTO_TOO_LARGE when the file would exceed MAX_FILE_CHARS.
 */
export function encodeFile(
  type: FileMessageType,
  bytes: Uint8Array,
  readable: ReadableFields = {},
): string {
  if (!FILE_MESSAGE_TYPES.includes(type)) throw new RangeError(`unknown message type: ${type}`);
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
  if (bytes.length === 0) throw new RangeError('bytes must not be empty');
  checkFileSize(Math.ceil((bytes.length * 4) / 3));
  const entries = Object.entries(readable);
  const issue = readableIssue(entries);
  if (issue !== undefined) throw new RangeError(`readable: ${issue}`);
  const text = `${JSON.stringify(
    { offpay: FILE_VERSION, type, ...Object.fromEntries(entries), data: toBase64Url(bytes) },
    null,
    2,
  )}\n`;
  checkFileSize(text.length);
  return text;
}

/**
 * Reads an offpay file. A leading byte-order mark is ignored; everything else is strict
 * (docs/protocol.md §13.1).
 *
 * @throws PROTO_TOO_LARGE when the text exceeds MAX_FILE_CHARS (checked before parsing).
 * @throws PROTO_FILE_INVALID when the text is not JSON, not an object, has `offpay` other than 1,
 *   an unknown type, data that is not canonical unpadded base64url, or bad readable fields.
 * @throws PROTO_FILE_WRONG_TYPE when `expectedType` is given and the file holds another type
 *   (details `{expected, actual}`).
 */
export function decodeFile(text: string, expectedType?: FileMessageType): DecodedFile {
  if (typeof text !== 'string') fail('PROTO_FILE_INVALID', 'An offpay file must be text');
  checkFileSize(text.length);
  return decodeFileValue(parseJson(text.startsWith('\uFEFF') ? text.slice(1) : text), expectedType);
}

/**
 * Reads an offpay file that was already parsed from JSON (an HTTP body, say): the same rules as
 * {@link decodeFile} after its size check and `JSON.parse`, with the same codes. The caller
 * bounds the text it parsed.
 *
 * @throws PROTO_FILE_INVALID, PROTO_FILE_WRONG_TYPE as {@link decodeFile}.
 */
export function decodeFileValue(json: unknown, expectedType?: FileMessageType): DecodedFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    fail('PROTO_FILE_INVALID', 'This file is not an offpay file: it is not a JSON object');
  }
  // Own keys as entries: assigning a JSON "__proto__" key to an object would drop it silently.
  const entries = Object.entries(json);
  const rest = entries.filter(([key]) => !CORE_KEYS.has(key));
  const parsed = coreSchema.safeParse(
    Object.fromEntries(entries.filter(([k]) => CORE_KEYS.has(k))),
  );
  if (!parsed.success) invalidFile(firstIssue(parsed.error));
  const issue = readableIssue(rest);
  if (issue !== undefined) invalidFile(`readable fields: ${issue}`);
  const { type } = parsed.data;
  const data = decodeData(parsed.data.data);
  if (expectedType !== undefined && type !== expectedType) {
    throw new ProtocolError(
      'PROTO_FILE_WRONG_TYPE',
      `This file holds a ${type}, not a ${expectedType}`,
      { expected: expectedType, actual: type },
    );
  }
  // readableIssue has checked every value: a string or a number.
  const readable: ReadableFields = Object.fromEntries(rest as [string, string | number][]);
  return { type, data, readable };
}

/** The first problem with readable fields (count, name, reserved name, value), if any. */
function readableIssue(entries: [string, unknown][]): string | undefined {
  if (entries.length > MAX_READABLE_FIELDS) return `at most ${MAX_READABLE_FIELDS} are allowed`;
  for (const [key, value] of entries) {
    const name = JSON.stringify(key.slice(0, 64));
    if (CORE_KEYS.has(key)) return `${name} is reserved`;
    if (!READABLE_KEY.test(key)) return `${name} is not a name of letters, digits, _ and -`;
    const parsed = readableValue.safeParse(value);
    if (!parsed.success) return `${name}: ${firstIssue(parsed.error)}`;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return fail('PROTO_FILE_INVALID', 'This file is not an offpay file: it is not valid JSON');
  }
}

function decodeData(data: string): Uint8Array {
  try {
    return fromBase64Url(data);
  } catch {
    // fromBase64Url refuses a length of 1 mod 4 and non-zero trailing bits (one text per bytes).
    return invalidFile('data is not canonical base64url');
  }
}

function checkFileSize(actual: number): void {
  if (actual > MAX_FILE_CHARS) {
    fail('PROTO_TOO_LARGE', 'This file is too large for an offpay file', {
      what: 'file',
      limit: MAX_FILE_CHARS,
      actual,
    });
  }
}

function invalidFile(reason: string): never {
  throw new ProtocolError('PROTO_FILE_INVALID', `This file is not a valid offpay file: ${reason}`, {
    reason,
  });
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

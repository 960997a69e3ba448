/**
 * Small type guards for outside input (bank answers, backup files, IndexedDB rows). Each throws a
 * {@link ShapeError} naming the field and the problem, never the value (it may be a secret); the
 * caller turns it into its own coded error.
 */
import { fromBase64Url, fromHex } from '@offpay/crypto';

/** Outside input of the wrong shape. `message` names a field path, never a value. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** A plain JSON-like object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object. @throws ShapeError */
export function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ShapeError(`${path} is not an object`);
  return value;
}

/** Own property `key` of `obj` (never an inherited one such as `constructor`). */
export function field(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Refuses keys outside `allowed` and requires every key in `required` (strict files). */
export function exactKeys(
  obj: Record<string, unknown>,
  path: string,
  allowed: readonly string[],
  required: readonly string[] = allowed,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new ShapeError(`${path} has an unexpected field`);
  }
  for (const key of required) {
    if (!Object.hasOwn(obj, key)) throw new ShapeError(`${path}.${key} is missing`);
  }
}

/** A string of at most `max` characters matching `pattern` when given. @throws ShapeError */
export function string(value: unknown, path: string, max: number, pattern?: RegExp): string {
  if (typeof value !== 'string') throw new ShapeError(`${path} is not a string`);
  if (value.length > max) throw new ShapeError(`${path} is longer than ${max} characters`);
  if (pattern && !pattern.test(value)) throw new ShapeError(`${path} has the wrong format`);
  return value;
}

/** A safe integer in [min, max]. @throws ShapeError */
export function integer(
  value: unknown,
  path: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ShapeError(`${path} is not an integer in ${min}..${max}`);
  }
  return value;
}

/** An array of at most `max` items. @throws ShapeError */
export function list(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(`${path} is not an array`);
  if (value.length > max) throw new ShapeError(`${path} has more than ${max} items`);
  return value as unknown[];
}

/** One of the given string values. @throws ShapeError */
export function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    throw new ShapeError(`${path} is not one of ${options.join(', ')}`);
  }
  return value as T;
}

/** Unpadded canonical base64url decoding to `min`..`max` bytes. @throws ShapeError */
export function base64Url(value: unknown, path: string, min: number, max: number): Uint8Array {
  const text = string(value, path, Math.ceil((max * 4) / 3), /^[A-Za-z0-9_-]*$/);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch {
    throw new ShapeError(`${path} is not canonical base64url`);
  }
  if (bytes.length < min || bytes.length > max) {
    throw new ShapeError(`${path} is not ${min === max ? min : `${min}..${max}`} bytes`);
  }
  return bytes;
}

/** Lower-case hex of exactly `length` bytes. @throws ShapeError */
export function hexBytes(value: unknown, path: string, length: number): Uint8Array {
  return fromHex(string(value, path, length * 2, new RegExp(`^[0-9a-f]{${length * 2}}$`)));
}

/** Lower-case hex text of exactly `length` bytes, kept as text. @throws ShapeError */
export function hexText(value: unknown, path: string, length: number): string {
  return string(value, path, length * 2, new RegExp(`^[0-9a-f]{${length * 2}}$`));
}

// ISO 8601 date-time with a time zone, as Date.prototype.toISOString writes it (and offsets).
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 date-time string that names a real instant. @throws ShapeError */
export function isoDateTime(value: unknown, path: string): string {
  const text = string(value, path, 40, ISO_DATETIME);
  if (!Number.isFinite(Date.parse(text))) throw new ShapeError(`${path} is not a real date`);
  return text;
}

/** An ISO 8601 date-time as Unix seconds (rounded down). @throws ShapeError */
export function isoSeconds(value: unknown, path: string): number {
  const ms = Date.parse(isoDateTime(value, path));
  if (ms < 0) throw new ShapeError(`${path} is before 1970`);
  return Math.floor(ms / 1000);
}

/** A Uint8Array of `min`..`max` bytes (a structured-clone row). @throws ShapeError */
export function bytes(value: unknown, path: string, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new ShapeError(`${path} is not bytes`);
  if (value.length < min || value.length > max) {
    throw new ShapeError(`${path} is not ${min === max ? min : `${min}..${max}`} bytes`);
  }
  return value;
}

/**
 * A faithful, strict JSON form for what the apps keep in IndexedDB, used by backups. JSON has no
 * bytes, bigints, dates or `undefined`, so those travel as one-key tagged objects:
 *
 *   Uint8Array → {"$b": base64url}   bigint → {"$n": "-12"}   Date → {"$d": ISO}   undefined → {"$u": 1}
 *
 * An object key that starts with `$` is written with one more `$` ("$x" → "$$x"), so a tag and a
 * key can never be confused. Anything else (Map, class instances, functions, NaN, typed arrays
 * other than Uint8Array) is refused on the way out; anything unexpected is refused on the way in.
 */
import { instantInput } from '@offpay/api';
import { toBase64Url } from '@offpay/crypto';
import { z } from 'zod';
import { base64UrlOf, parseShape, ShapeError } from './parse.js';

/** Deepest nesting of arrays and objects either direction accepts. */
export const MAX_VALUE_DEPTH = 64;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const BIGINT = /^-?(0|[1-9][0-9]*)$/;
// A tagged byte string may be as large as a whole backup.
const MAX_TAGGED_BYTES = 8 * 1024 * 1024;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The tagged JSON form of `value`.
 * @throws TypeError naming the path of a value that has no faithful form (an app defect)
 */
export function toTaggedJson(value: unknown, path = '$', depth = 0): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value === undefined) return { $u: 1 };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: non-finite numbers cannot be saved`);
    return value;
  }
  if (typeof value === 'bigint') return { $n: value.toString() };
  if (typeof value !== 'object') throw new TypeError(`${path}: a ${typeof value} cannot be saved`);
  if (depth >= MAX_VALUE_DEPTH) throw new TypeError(`${path}: nested too deeply`);
  if (value instanceof Uint8Array) {
    if (value.constructor !== Uint8Array) throw new TypeError(`${path}: only Uint8Array bytes`);
    return { $b: toBase64Url(value) };
  }
  if (value instanceof Date) {
    if (!Number.isFinite(value.getTime())) throw new TypeError(`${path}: invalid Date`);
    return { $d: value.toISOString() };
  }
  if (Array.isArray(value)) {
    // Array.from turns holes into undefined, which then travels as {"$u": 1}.
    return Array.from(value as unknown[], (item, i) =>
      toTaggedJson(item, `${path}[${i}]`, depth + 1),
    );
  }
  if (!isPlainObject(value)) throw new TypeError(`${path}: only plain objects can be saved`);
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) {
    const name = key.startsWith('$') ? `$${key}` : key;
    define(out, name, toTaggedJson(item, `${path}.${key}`, depth + 1));
  }
  return out;
}

// Own data property even for "__proto__" (an assignment would change the prototype instead).
function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// What each tag's payload must be, and the value it stands for.
const TAGS = {
  $b: base64UrlOf(0, MAX_TAGGED_BYTES, '$b'),
  $n: z
    .string()
    .max(400)
    .regex(BIGINT)
    .transform((text) => BigInt(text)),
  $d: instantInput.transform((text) => new Date(text)),
  $u: z.literal(1).transform(() => undefined),
};

function fromTag(tag: string, payload: unknown, path: string): unknown {
  if (!Object.hasOwn(TAGS, tag)) throw new ShapeError(`${path} has an unknown tag`);
  return parseShape(TAGS[tag as keyof typeof TAGS], payload, `${path}.${tag}`);
}

/**
 * The value a tagged JSON form stands for (the inverse of {@link toTaggedJson}).
 * @throws ShapeError on anything the encoder never writes
 */
export function fromTaggedJson(json: unknown, path = '$', depth = 0): unknown {
  if (json === null || typeof json === 'boolean' || typeof json === 'string') return json;
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new ShapeError(`${path} is not a finite number`);
    return json;
  }
  if (typeof json !== 'object') throw new ShapeError(`${path} is not JSON`);
  if (depth >= MAX_VALUE_DEPTH) throw new ShapeError(`${path} is nested too deeply`);
  if (Array.isArray(json)) {
    return (json as unknown[]).map((item, i) => fromTaggedJson(item, `${path}[${i}]`, depth + 1));
  }
  const entries = Object.entries(json);
  const tagged = entries.filter(([key]) => key.startsWith('$') && !key.startsWith('$$'));
  if (tagged.length > 0) {
    const [first] = tagged;
    if (entries.length !== 1 || !first) throw new ShapeError(`${path} mixes a tag with fields`);
    return fromTag(first[0], first[1], path);
  }
  const out = {};
  for (const [key, item] of entries) {
    const name = key.startsWith('$$') ? key.slice(1) : key;
    define(out, name, fromTaggedJson(item, `${path}.${name}`, depth + 1));
  }
  return out;
}

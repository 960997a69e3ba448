/**
 * Row parsers declared field by field, for the stores' `parse` (schema.ts): a row read back from
 * IndexedDB is outside input — another tab, an older app, a damaged or edited database — so every
 * field of every record is checked for type and bound before the app uses it.
 *
 * @example
 * ```ts
 * const parseEntry = rowParser<Entry>({ index: count, paymentId: bytes(32), memo: text(200) });
 * ```
 */

/** A check of one field. */
export type Check = (value: unknown) => boolean;

/** A safe integer ≥ 0 (counts, indices, minor units, Unix seconds). */
export const count = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A Uint8Array of `min`..`max` bytes (exactly `min` when `max` is left out). */
export const bytes =
  (min: number, max = min) =>
  (v: unknown): v is Uint8Array =>
    v instanceof Uint8Array && v.length >= min && v.length <= max;

/** A string of at most `max` characters, matching `pattern` when given. */
export const text =
  (max: number, pattern?: RegExp) =>
  (v: unknown): v is string =>
    typeof v === 'string' && v.length <= max && (!pattern || pattern.test(v));

/** Lower-case hex of exactly `length` bytes. */
export const hex = (length: number): Check =>
  text(length * 2, new RegExp(`^[0-9a-f]{${length * 2}}$`));

/** An ISO 4217 code such as "EUR". */
export const currency = text(3, /^[A-Z]{3}$/);

/** One of `values`. */
export const oneOf =
  (...values: readonly unknown[]): Check =>
  (v) =>
    values.includes(v);

/** Absent (undefined), or passing `check`. */
export const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);

/** A plain object (not null, not an array), or undefined. */
export function asRow(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The parser of rows of type T: the row itself when every declared field passes its check,
 * else undefined. Every field of T is declared (the type says so); fields it does not declare
 * are left as they are.
 */
export function rowParser<T>(fields: { [K in keyof T]-?: Check }): (row: unknown) => T | undefined {
  const checks = Object.entries<Check>(fields);
  return (row) => {
    const r = asRow(row);
    return r && checks.every(([name, check]) => check(r[name])) ? (r as T) : undefined;
  };
}

/** A check that a value is a row `parse` reads (a nested record). */
export const row =
  (parse: (row: unknown) => unknown): Check =>
  (v) =>
    parse(v) !== undefined;

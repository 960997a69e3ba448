/**
 * The one place where column values are normalised, for both drivers: `pg` returns `int8` and
 * `numeric` as strings and `bytea` as Buffer; PGlite returns `int8` as numbers (or bigint past
 * 2^53). Money is `bigint` minor units in SQL, so it must never pass through a JS float.
 */

/** Postgres type OIDs we normalise (src/include/catalog/pg_type.dat). */
export const PG_OID = { INT8: 20, BYTEA: 17, NUMERIC: 1700 } as const;

/** `int8` text → bigint. Exact for every value of the column type. */
function parseInt8(text: string): bigint {
  return BigInt(text);
}

/** `bytea` hex text (`\x0a0b…`, the server default since Postgres 9.0) → Uint8Array. */
function parseBytea(text: string): Uint8Array {
  if (!text.startsWith('\\x')) throw new TypeError('bytea is not in hex output format');
  return new Uint8Array(Buffer.from(text.slice(2), 'hex'));
}

/** `numeric` text stays a decimal string: exact, and never mistaken for a float. */
function parseNumeric(text: string): string {
  return text;
}

/** Text-format parsers by OID, shared by the pg and PGlite adapters. */
export const TEXT_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  [PG_OID.INT8]: parseInt8,
  [PG_OID.BYTEA]: parseBytea,
  [PG_OID.NUMERIC]: parseNumeric,
};

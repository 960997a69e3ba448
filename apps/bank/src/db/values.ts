/** Values into and out of SQL that more than one repository needs. */

/**
 * Bytes as hex text for `decode(x, 'hex')` over an `unnest($n::text[])`: a batch's arrays hold
 * every entry, signed bytes included, and one text array is one parameter. Hex through Buffer
 * (native), which is much faster than a per-byte string build.
 */
export function hexParams(values: readonly Uint8Array[]): string[] {
  return values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex'));
}

/** Bytes as a Buffer over the same memory, so node-postgres sends them as `bytea`. */
export function bytesParam(v: Uint8Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * A bigint column as the protocol's safe integer (the schema's CHECKs keep amounts, counters and
 * serials within 2^53 − 1); throws rather than round if a row ever breaks that.
 * @throws RangeError
 */
export function safeInteger(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${value} is not a safe integer`);
  return Number(value);
}

/**
 * The parameters of one statement built from parts (several repositories' data-modifying CTEs
 * in one round trip): `add` appends a value and answers its placeholder (`$n`).
 */
export class StatementParams {
  readonly values: unknown[] = [];

  /** Appends `value`; returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

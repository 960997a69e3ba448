/**
 * Outside input that is not a bank answer — backup files, the vault's record, tagged JSON — is
 * parsed with zod schemas, as bank answers are parsed with the contract's (@offpay/api). A
 * failure is a {@link ShapeError} naming where (a field path) and what is wrong, never the value
 * (it may be a secret); the caller turns it into its own coded error.
 */
import { base64UrlUpTo } from '@offpay/api';
import { fromBase64Url } from '@offpay/crypto';
import { z } from 'zod';

/** Outside input of the wrong shape. `message` names a field path, never a value. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Where `error` found the input off its schema: the first issue's path under `what`, no value. */
export function describeIssue(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  const path = [what, ...(issue?.path ?? []).map(String)].join('.');
  return `${path}: ${issue?.message ?? 'the wrong shape'}`;
}

/** `value` parsed with `schema`. @throws ShapeError naming the first problem's path under `what` */
export function parseShape<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ShapeError(describeIssue(parsed.error, what));
  return parsed.data;
}

/** A Uint8Array of `min`..`max` bytes (a structured-clone row, a CBOR byte string). */
export function bytesOf(min: number, max = min) {
  return z
    .instanceof(Uint8Array)
    .refine(
      (b) => b.length >= min && b.length <= max,
      `not ${min === max ? min : `${min}..${max}`} bytes`,
    );
}

/** Canonical unpadded base64url text of `min`..`max` bytes, decoded. */
export function base64UrlOf(min: number, max: number, what: string) {
  return base64UrlUpTo(max, what, min).transform((text) => fromBase64Url(text));
}

/**
 * Coded errors raised by operations that have no possible result (STYLE.md "Crypto": a GCM tag
 * mismatch, an HPKE ciphertext that does not open). Predicates never throw these; they return
 * `false`.
 */

/** Every error code this package can raise. Codes are never renamed or reused. */
export const CRYPTO_ERROR_CODES = [
  'CRYPTO_AEAD_AUTH_FAILED',
  'CRYPTO_HPKE_OPEN_FAILED',
  'CRYPTO_INVALID_PUBLIC_KEY',
  'CRYPTO_INVALID_SECRET_KEY',
  'CRYPTO_DERIVE_KEY_PAIR_FAILED',
] as const;

/** One of {@link CRYPTO_ERROR_CODES}. */
export type CryptoErrorCode = (typeof CRYPTO_ERROR_CODES)[number];

/** An error with a stable `code`; match it with {@link isCryptoError}, never with `instanceof`. */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;

  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = 'CryptoError';
    this.code = code;
  }
}

/**
 * True when `e` carries the given crypto error code (or any crypto code when `code` is omitted).
 * Matches on the code so that two copies of this package still agree.
 */
export function isCryptoError(e: unknown, code?: CryptoErrorCode): e is CryptoError {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && c.startsWith('CRYPTO_') && (code === undefined || c === code);
}

/**
 * ECDSA over P-256 with SHA-256 (FIPS 186-5), signatures as 64-byte IEEE P1363 `r ‖ s`.
 * Signing is deterministic (RFC 6979) and low-S; verification accepts high-S as well.
 */
import { assertBytes, i2osp } from './bytes.js';
import { CryptoError } from './errors.js';
import { P256_N, SIGN_OPTS, VERIFY_OPTS, p256 } from './p256.js';

/** Length of a P1363 signature. */
export const SIGNATURE_LENGTH = 64;

/** A fresh random secret key (32 bytes, in [1, n−1]). */
export function generateSecretKey(): Uint8Array {
  return p256.utils.randomSecretKey();
}

/**
 * The public key of `secretKey`: 33-byte compressed SEC1 by default, 65-byte uncompressed if
 * `compressed` is false.
 * @throws CRYPTO_INVALID_SECRET_KEY when the key is not a scalar in [1, n−1].
 */
export function getPublicKey(secretKey: Uint8Array, compressed = true): Uint8Array {
  assertBytes(secretKey, 'secretKey', 32);
  if (!p256.utils.isValidSecretKey(secretKey)) {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'secret key is not in [1, n-1]');
  }
  return p256.getPublicKey(secretKey, compressed);
}

/**
 * Signs `message` (hashed with SHA-256 inside): a deterministic (RFC 6979), low-S, 64-byte
 * `r ‖ s` signature.
 * @throws CRYPTO_INVALID_SECRET_KEY when the key is not a scalar in [1, n−1].
 */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertBytes(message, 'message');
  assertBytes(secretKey, 'secretKey', 32);
  if (!p256.utils.isValidSecretKey(secretKey)) {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'secret key is not in [1, n-1]');
  }
  return p256.sign(message, secretKey, SIGN_OPTS);
}

/**
 * True iff `signature` (64-byte `r ‖ s`, high-S accepted) is valid for `message` under
 * `publicKey` (33- or 65-byte SEC1). Never throws: hostile input of any shape gives `false`.
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  if (!(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
  if (publicKey.length !== 33 && publicKey.length !== 65) return false;
  try {
    return p256.verify(signature, message, publicKey, VERIFY_OPTS);
  } catch {
    return false;
  }
}

/**
 * The other valid form of a signature: `(r, s) → (r, n − s)`. ECDSA signatures are malleable;
 * this exists so tests and vectors can prove that nothing depends on signature bytes.
 * @throws RangeError when the signature is not 64 bytes or `s` is out of range.
 */
export function malleate(signature: Uint8Array): Uint8Array {
  assertBytes(signature, 'signature', SIGNATURE_LENGTH);
  let s = 0n;
  for (const b of signature.subarray(32)) s = (s << 8n) | BigInt(b);
  if (s === 0n || s >= P256_N) throw new RangeError('signature s is out of range');
  const out = new Uint8Array(signature);
  out.set(i2osp(P256_N - s, 32), 32);
  return out;
}

/** True iff the signature's `s` is in the lower half of the group order. */
export function isLowS(signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  let s = 0n;
  for (const b of signature.subarray(32)) s = (s << 8n) | BigInt(b);
  return s > 0n && s <= P256_N >> 1n;
}

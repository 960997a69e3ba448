/** HKDF with SHA-256 (RFC 5869). */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes } from './bytes.js';

/** Largest output of HKDF-SHA256 expand: 255 · HashLen (RFC 5869 §2.3). */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;

/** HKDF-Extract (RFC 5869 §2.2): the 32-byte pseudorandom key. An empty salt means 32 zero bytes. */
export function hkdfExtract(ikm: Uint8Array, salt?: Uint8Array): Uint8Array {
  assertBytes(ikm, 'ikm');
  if (salt !== undefined) assertBytes(salt, 'salt');
  return extract(sha256, ikm, salt);
}

/**
 * HKDF-Expand (RFC 5869 §2.3): `length` bytes of output keying material.
 * @throws RangeError when `length` exceeds 255 · 32 or `prk` is shorter than 32 bytes.
 */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  assertBytes(prk, 'prk');
  assertBytes(info, 'info');
  if (prk.length < 32) throw new RangeError('prk must be at least 32 bytes');
  if (!Number.isSafeInteger(length) || length < 0 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new RangeError(`length must be 0..${HKDF_SHA256_MAX_LENGTH}`);
  }
  if (length === 0) return new Uint8Array(0);
  return expand(sha256, prk, info, length);
}

/** HKDF (RFC 5869 §2): extract then expand. */
export function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array | undefined,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return hkdfExpand(hkdfExtract(ikm, salt), info, length);
}

/**
 * HPKE sealing as offpay uses it (DESIGN.md §4 "Sealing"): RFC 9180 base mode, single-shot,
 * DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM. Sealed bytes = `enc` (65 bytes) ‖
 * ciphertext ‖ tag. Any RFC 9180 implementation's single-shot API opens what this seals.
 *
 * The ephemeral key is always fresh from the platform's generator: no argument of this API can
 * fix it.
 */
import { assertBytes } from './bytes.js';
import {
  AEAD,
  ENC_LENGTH,
  deriveKeyPair as deriveKemKeyPair,
  openWith,
  sealWith,
} from './hpke-core.js';
import { generateSecretKey } from './ecdsa.js';

/** Bytes that sealing adds to the plaintext: `enc` (65) and the GCM tag (16). */
export const SEAL_OVERHEAD = ENC_LENGTH + 16;

const EMPTY = new Uint8Array(0);

/**
 * Seals `plaintext` to the recipient's P-256 KEM public key (33- or 65-byte SEC1), binding `info`.
 * @throws CRYPTO_INVALID_PUBLIC_KEY when the recipient key is not a valid point.
 * @example
 * ```ts
 * const sealed = seal(payeeKemPublicKey, info, paymentBytes);
 * const opened = open(payeeKemSecretKey, info, sealed); // equal to paymentBytes
 * ```
 */
export function seal(
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array {
  assertBytes(recipientPublicKey, 'recipientPublicKey', 33, 65);
  assertBytes(info, 'info');
  assertBytes(plaintext, 'plaintext');
  assertBytes(aad, 'aad');
  return sealWith(AEAD.AES_256_GCM, recipientPublicKey, info, plaintext, aad, generateSecretKey());
}

/**
 * Opens sealed bytes with the recipient's KEM secret key and the same `info` (and `aad`).
 * @throws CRYPTO_HPKE_OPEN_FAILED for anything that does not authenticate: a changed byte, a
 * wrong key or `info`, bytes that are too short, an `enc` off the curve.
 */
export function open(
  recipientSecretKey: Uint8Array,
  info: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array = EMPTY,
): Uint8Array {
  assertBytes(recipientSecretKey, 'recipientSecretKey', 32);
  assertBytes(info, 'info');
  assertBytes(sealed, 'sealed');
  assertBytes(aad, 'aad');
  return openWith(AEAD.AES_256_GCM, recipientSecretKey, info, sealed, aad);
}

/**
 * RFC 9180 §7.1.3 DeriveKeyPair: a KEM key pair from at least 32 bytes of input keying material.
 * The public key is returned uncompressed (65 bytes), as HPKE serializes it.
 */
export function deriveKeyPair(ikm: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  return deriveKemKeyPair(ikm);
}

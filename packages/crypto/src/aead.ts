/** AES-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags; ciphertext = body ‖ tag. */
import { gcm } from '@noble/ciphers/aes.js';
import { assertBytes } from './bytes.js';
import { CryptoError } from './errors.js';

/** Nonce length in bytes. */
export const GCM_NONCE_LENGTH = 12;
/** Tag length in bytes. */
export const GCM_TAG_LENGTH = 16;

/**
 * Encrypts `plaintext`; returns ciphertext ‖ 16-byte tag. The key is 16 or 32 bytes (AES-128 or
 * AES-256). A nonce must never repeat under one key.
 */
export function aesGcmEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): Uint8Array {
  assertBytes(key, 'key', 16, 32);
  assertBytes(nonce, 'nonce', GCM_NONCE_LENGTH);
  assertBytes(plaintext, 'plaintext');
  assertBytes(aad, 'aad');
  return gcm(key, nonce, aad).encrypt(plaintext);
}

/**
 * Decrypts and authenticates ciphertext ‖ tag.
 * @throws CRYPTO_AEAD_AUTH_FAILED when the tag does not verify (wrong key, nonce, aad or any
 * changed byte).
 */
export function aesGcmDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array = new Uint8Array(0),
): Uint8Array {
  assertBytes(key, 'key', 16, 32);
  assertBytes(nonce, 'nonce', GCM_NONCE_LENGTH);
  assertBytes(ciphertext, 'ciphertext');
  assertBytes(aad, 'aad');
  if (ciphertext.length < GCM_TAG_LENGTH) {
    throw new CryptoError('CRYPTO_AEAD_AUTH_FAILED', 'ciphertext is shorter than the tag');
  }
  try {
    return gcm(key, nonce, aad).decrypt(ciphertext);
  } catch {
    throw new CryptoError('CRYPTO_AEAD_AUTH_FAILED', 'AES-GCM authentication failed');
  }
}

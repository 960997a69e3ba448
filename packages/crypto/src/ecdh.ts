/** ECDH over P-256 (SEC 1 §3.3.1): the shared secret is the x-coordinate of `d·Q`. */
import { assertBytes } from './bytes.js';
import { CryptoError } from './errors.js';
import { p256 } from './p256.js';

/**
 * The 32-byte shared secret (x-coordinate) of `secretKey` and the peer's `publicKey`
 * (33- or 65-byte SEC1). The peer key is validated: it must decode to a point on the curve.
 * @throws CRYPTO_INVALID_PUBLIC_KEY for a key that is not a valid point.
 * @throws CRYPTO_INVALID_SECRET_KEY for a secret key not in [1, n−1].
 */
export function sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, 'secretKey', 32);
  assertBytes(publicKey, 'publicKey');
  if (!p256.utils.isValidSecretKey(secretKey)) {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'secret key is not in [1, n-1]');
  }
  let point: Uint8Array;
  try {
    point = p256.getSharedSecret(secretKey, publicKey, true);
  } catch {
    throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'public key is not a valid P-256 point');
  }
  return point.slice(1);
}

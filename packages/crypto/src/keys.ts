/** Public key encodings: compressed and uncompressed SEC1 (SEC 1 §2.3.3), and JWK (RFC 7518 §6.2). */
import { assertBytes, fromBase64Url, toBase64Url } from './bytes.js';
import { CryptoError } from './errors.js';
import { p256 } from './p256.js';

function point(publicKey: Uint8Array) {
  assertBytes(publicKey, 'publicKey', 33, 65);
  try {
    return p256.Point.fromBytes(publicKey);
  } catch {
    throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'public key is not a valid P-256 point');
  }
}

/** 33-byte compressed form of a 33- or 65-byte SEC1 key. @throws CRYPTO_INVALID_PUBLIC_KEY */
export function compressPublicKey(publicKey: Uint8Array): Uint8Array {
  return point(publicKey).toBytes(true);
}

/** 65-byte uncompressed form of a 33- or 65-byte SEC1 key. @throws CRYPTO_INVALID_PUBLIC_KEY */
export function decompressPublicKey(publicKey: Uint8Array): Uint8Array {
  return point(publicKey).toBytes(false);
}

/** True iff the bytes are a valid compressed or uncompressed P-256 point. Never throws. */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || (publicKey.length !== 33 && publicKey.length !== 65)) {
    return false;
  }
  try {
    p256.Point.fromBytes(publicKey);
    return true;
  } catch {
    return false;
  }
}

/** A P-256 public key as a JSON Web Key (for WebCrypto interop). */
export interface P256PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** A P-256 private key as a JSON Web Key. */
export interface P256PrivateJwk extends P256PublicJwk {
  d: string;
}

/** The public JWK of a 33- or 65-byte SEC1 key. @throws CRYPTO_INVALID_PUBLIC_KEY */
export function publicKeyToJwk(publicKey: Uint8Array): P256PublicJwk {
  const raw = decompressPublicKey(publicKey);
  return {
    kty: 'EC',
    crv: 'P-256',
    x: toBase64Url(raw.subarray(1, 33)),
    y: toBase64Url(raw.subarray(33)),
  };
}

/** The compressed SEC1 key of a public JWK. @throws CRYPTO_INVALID_PUBLIC_KEY */
export function jwkToPublicKey(jwk: unknown): Uint8Array {
  const j = jwk as Partial<P256PublicJwk> | null;
  if (typeof j !== 'object' || j === null || j.kty !== 'EC' || j.crv !== 'P-256') {
    throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'JWK is not an EC P-256 key');
  }
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = fromBase64Url(String(j.x));
    y = fromBase64Url(String(j.y));
  } catch {
    throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'JWK coordinates are not base64url');
  }
  if (x.length !== 32 || y.length !== 32) {
    throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'JWK coordinates must be 32 bytes');
  }
  const raw = new Uint8Array(65);
  raw[0] = 4;
  raw.set(x, 1);
  raw.set(y, 33);
  return compressPublicKey(raw);
}

/** The private JWK of a secret key (with its public coordinates). */
export function secretKeyToJwk(secretKey: Uint8Array): P256PrivateJwk {
  assertBytes(secretKey, 'secretKey', 32);
  if (!p256.utils.isValidSecretKey(secretKey)) {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'secret key is not in [1, n-1]');
  }
  return { ...publicKeyToJwk(p256.getPublicKey(secretKey, false)), d: toBase64Url(secretKey) };
}

/**
 * The 32-byte secret key of a private JWK.
 * @throws CRYPTO_INVALID_SECRET_KEY for a bad or mismatching `d`; CRYPTO_INVALID_PUBLIC_KEY for bad `x`/`y`.
 */
export function jwkToSecretKey(jwk: unknown): Uint8Array {
  const d = (jwk as { d?: unknown } | null)?.d;
  let sk: Uint8Array;
  try {
    sk = fromBase64Url(String(d));
  } catch {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'JWK d is not base64url');
  }
  if (sk.length !== 32 || !p256.utils.isValidSecretKey(sk)) {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'JWK d is not a P-256 secret key');
  }
  const expected = jwkToPublicKey(jwk);
  const actual = p256.getPublicKey(sk, true);
  if (expected.some((b, i) => b !== actual[i])) {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'JWK d does not match x and y');
  }
  return sk;
}

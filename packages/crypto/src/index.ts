/**
 * @offpay/crypto — the primitives every offpay party relies on, on @noble/curves, @noble/hashes
 * and @noble/ciphers. Bytes in, bytes out; no I/O; runs unchanged in browsers and Node.
 *
 * @example
 * ```ts
 * import { generateSecretKey, getPublicKey, sign, verify, seal, open } from '@offpay/crypto';
 * const sk = generateSecretKey();
 * const sig = sign(message, sk);
 * verify(sig, message, getPublicKey(sk)); // true
 * ```
 */
export { aesGcmDecrypt, aesGcmEncrypt, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
export {
  assertBytes,
  concatBytes,
  equalBytes,
  fromBase64Url,
  fromHex,
  i2osp,
  labelBytes,
  randomBytes,
  toBase64Url,
  toHex,
  utf8,
} from './bytes.js';
export { sharedSecret } from './ecdh.js';
export {
  generateSecretKey,
  getPublicKey,
  isLowS,
  malleate,
  sign,
  SIGNATURE_LENGTH,
  verify,
} from './ecdsa.js';
export { CRYPTO_ERROR_CODES, CryptoError, isCryptoError, type CryptoErrorCode } from './errors.js';
export { chainLink, chainLinks, KID_LENGTH, kid, sha256, taggedHash, verifyChain } from './hash.js';
export { hkdf, hkdfExpand, hkdfExtract, HKDF_SHA256_MAX_LENGTH } from './hkdf.js';
export { deriveKeyPair, open, seal, SEAL_OVERHEAD } from './hpke.js';
export {
  disableNativeP256,
  hasNativeP256,
  nativeVerdicts,
  openAsync,
  sealAsync,
  setupSealAsync,
  sharedSecretAsync,
  verifyAsync,
  withNativeVerify,
  type Sealer,
  type Verdicts,
  type VerifyFn,
} from './native.js';
export {
  compressPublicKey,
  decompressPublicKey,
  isValidPublicKey,
  jwkToPublicKey,
  jwkToSecretKey,
  publicKeyToJwk,
  secretKeyToJwk,
  type P256PrivateJwk,
  type P256PublicJwk,
} from './keys.js';

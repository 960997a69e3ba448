/**
 * Wycheproof vectors (C2SP/wycheproof, testvectors_v1; see vectors/wycheproof/README.md). Every
 * case of each file is processed, the counts per result are pinned so that nothing is skipped
 * silently, and a failure names its tcId.
 */
import { describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  compressPublicKey,
  concatBytes,
  equalBytes,
  hkdf,
  i2osp,
  isCryptoError,
  jwkToPublicKey,
  jwkToSecretKey,
  sharedSecret,
  toHex,
  verify,
} from '../src/index.js';
import { hex, readVector, runCases, type WycheproofCase, type WycheproofFile } from './helpers.js';

interface EcdsaGroup {
  publicKey: { uncompressed: string };
}
interface EcdsaCase extends WycheproofCase {
  msg: string;
  sig: string;
}

describe('Wycheproof ECDSA P-256 SHA-256 (P1363 signatures)', () => {
  const file = readVector<WycheproofFile<EcdsaGroup, EcdsaCase>>(
    'wycheproof/ecdsa_secp256r1_sha256_p1363_test.json',
  );

  it('accepts every valid signature and rejects every invalid one, with either key encoding', () => {
    const tally = runCases(file.testGroups, (t, g) => {
      const uncompressed = hex(g.publicKey.uncompressed);
      const keys = [uncompressed, compressPublicKey(uncompressed)];
      const results = keys.map((key) => verify(hex(t.sig), hex(t.msg), key));
      // The file has no "acceptable" case (the count is pinned to 0 below). Should one appear,
      // P1363 leaves no encoding freedom, so it would be a legal but weak input: accept it.
      const expected = t.result !== 'invalid';
      return results.every((r) => r === expected) ? null : `verify gave ${results.join('/')}`;
    });
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(173);
    expect(tally.invalid).toBe(89);
    expect(tally.acceptable).toBe(0);
    expect(tally.valid + tally.invalid).toBe(file.numberOfTests);
  });
});

interface EcdhCase extends WycheproofCase {
  public: string;
  private: string;
  shared: string;
}

/** Wycheproof private keys are big-endian two's-complement BigInts: normalise to 32 bytes. */
function scalar(privateHex: string): Uint8Array {
  return i2osp(BigInt(`0x${privateHex}`), 32);
}

/**
 * `null` when `run` refuses the keys with a coded CRYPTO_INVALID_* error. Stricter than Wycheproof
 * requires (a wrong secret would also do): every invalid case here is an invalid key, and the
 * caller must learn that rather than get unrelated bytes.
 */
function rejects(run: () => Uint8Array): string | null {
  try {
    return `returned ${toHex(run())}`;
  } catch (e) {
    const coded =
      isCryptoError(e, 'CRYPTO_INVALID_PUBLIC_KEY') ||
      isCryptoError(e, 'CRYPTO_INVALID_SECRET_KEY');
    return coded ? null : `threw an uncoded error: ${String(e)}`;
  }
}

describe('Wycheproof ECDH P-256 with SEC1 point encodings', () => {
  const file = readVector<WycheproofFile<object, EcdhCase>>(
    'wycheproof/ecdh_secp256r1_ecpoint_test.json',
  );

  it('derives the shared x-coordinate for valid keys and refuses invalid points', () => {
    const tally = runCases(file.testGroups, (t) => {
      const run = () => sharedSecret(scalar(t.private), hex(t.public));
      if (t.result === 'invalid') return rejects(run);
      // The one "acceptable" case is a compressed public key (flags CompressedPublic,
      // CompressedPoint). offpay's keys are 33-byte compressed SEC1 everywhere, so we accept it
      // and require the correct secret.
      const out = toHex(run());
      return out === t.shared ? null : `got ${out}`;
    });
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(330);
    expect(tally.acceptable).toBe(1);
    expect(tally.invalid).toBe(24);
    expect(tally.valid + tally.acceptable + tally.invalid).toBe(file.numberOfTests);
  });
});

interface WebCryptoEcdhCase extends WycheproofCase {
  public: unknown;
  private: unknown;
  shared: string;
}

describe('Wycheproof ECDH P-256 with JWK keys (WebCrypto encoding)', () => {
  const file = readVector<WycheproofFile<object, WebCryptoEcdhCase>>(
    'wycheproof/ecdh_secp256r1_webcrypto_test.json',
  );

  it('derives the shared secret from JWKs and refuses off-curve and wrong-curve keys', () => {
    const tally = runCases(file.testGroups, (t) => {
      const run = () => sharedSecret(jwkToSecretKey(t.private), jwkToPublicKey(t.public));
      if (t.result === 'invalid') return rejects(run);
      const out = toHex(run());
      return out === t.shared ? null : `got ${out}`;
    });
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(330);
    expect(tally.invalid).toBe(23);
    expect(tally.acceptable).toBe(0);
    expect(tally.valid + tally.invalid).toBe(file.numberOfTests);
  });
});

interface HkdfCase extends WycheproofCase {
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
}

describe('Wycheproof HKDF-SHA256', () => {
  const file = readVector<WycheproofFile<object, HkdfCase>>('wycheproof/hkdf_sha256_test.json');

  it('produces the exact output keying material and refuses sizes above 255·32 with RangeError', () => {
    const tally = runCases(file.testGroups, (t) => {
      const run = () => hkdf(hex(t.ikm), hex(t.salt), hex(t.info), t.size);
      if (t.result === 'invalid') {
        try {
          run();
          return 'did not throw';
        } catch (e) {
          return e instanceof RangeError ? null : `threw ${String(e)}`;
        }
      }
      const out = toHex(run());
      return out === t.okm ? null : `got ${out}`;
    });
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(83);
    expect(tally.invalid).toBe(3);
    expect(tally.acceptable).toBe(0);
  });
});

interface AeadGroup {
  keySize: number;
  ivSize: number;
  tagSize: number;
}
interface AeadCase extends WycheproofCase {
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
}

describe('Wycheproof AES-GCM (96-bit IV, 128-bit tag)', () => {
  const file = readVector<WycheproofFile<AeadGroup, AeadCase>>('wycheproof/aes_gcm_test.json');

  // Our API takes 12-byte nonces and 16- or 32-byte keys only; the other groups (AES-192, other
  // IV lengths) are outside it by design, so they are filtered out here and counted per key size.
  const check = (t: AeadCase): string | null => {
    const [key, iv, aad, msg] = [hex(t.key), hex(t.iv), hex(t.aad), hex(t.msg)];
    const sealed = concatBytes(hex(t.ct), hex(t.tag));
    if (t.result === 'invalid') {
      try {
        aesGcmDecrypt(key, iv, sealed, aad);
        return 'decrypted a forged ciphertext';
      } catch (e) {
        return isCryptoError(e, 'CRYPTO_AEAD_AUTH_FAILED') ? null : `threw ${String(e)}`;
      }
    }
    const encrypted = aesGcmEncrypt(key, iv, msg, aad);
    if (!equalBytes(encrypted, sealed)) return `encrypt gave ${toHex(encrypted)}`;
    const opened = aesGcmDecrypt(key, iv, sealed, aad);
    return equalBytes(opened, msg) ? null : `decrypt gave ${toHex(opened)}`;
  };
  const groups = (keySize: number) =>
    file.testGroups.filter((g) => g.keySize === keySize && g.ivSize === 96 && g.tagSize === 128);

  it('AES-256-GCM: encrypts to the exact ct‖tag, decrypts back, and rejects modified tags', () => {
    const tally = runCases(groups(256), check);
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(39);
    expect(tally.invalid).toBe(27);
    expect(tally.acceptable).toBe(0);
  });

  it('AES-128-GCM (HPKE aead 1): encrypts exactly, decrypts back, rejects modified tags', () => {
    const tally = runCases(groups(128), check);
    expect(tally.failures).toEqual([]);
    expect(tally.valid).toBe(40);
    expect(tally.invalid).toBe(27);
    expect(tally.acceptable).toBe(0);
  });
});

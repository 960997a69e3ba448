/** Behaviour of the signing, key agreement and AEAD primitives, including hostile input. */
import { describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  concatBytes,
  CryptoError,
  generateSecretKey,
  getPublicKey,
  hkdfExpand,
  i2osp,
  isCryptoError,
  isLowS,
  malleate,
  randomBytes,
  sharedSecret,
  sign,
  SIGNATURE_LENGTH,
  toHex,
  utf8,
  verify,
} from '../src/index.js';
import { flipByte, hex, thrown } from './helpers.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n; // P-256 order
const sk = generateSecretKey();
const pk = getPublicKey(sk);
const message = utf8('offpay/v1/payment 12.50 EUR');
const sig = sign(message, sk);

describe('ECDSA sign', () => {
  it('reproduces RFC 6979 §A.2.5 (P-256, SHA-256), with s normalised to the low half', () => {
    const key = hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
    const s = 0xf7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8n; // high in RFC
    expect(toHex(sign(utf8('sample'), key))).toBe(
      'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' + toHex(i2osp(N - s, 32)),
    );
    expect(toHex(sign(utf8('test'), key))).toBe(
      'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367' +
        '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
    );
  });

  it('is deterministic and always low-S, 64 bytes', () => {
    expect(sign(message, sk)).toEqual(sig);
    for (let i = 0; i < 32; i++) {
      const s = sign(randomBytes(i), generateSecretKey());
      expect(s).toHaveLength(SIGNATURE_LENGTH);
      expect(isLowS(s)).toBe(true);
    }
  });

  it('verifies its own signatures with compressed and uncompressed keys', () => {
    expect(verify(sig, message, pk)).toBe(true);
    expect(verify(sig, message, getPublicKey(sk, false))).toBe(true);
  });

  it('names the argument when it has the wrong type or size', () => {
    expect(() => sign('text' as unknown as Uint8Array, sk)).toThrow(TypeError);
    expect(() => sign('text' as unknown as Uint8Array, sk)).toThrow(/message/);
    expect(() => sign(message, sk.subarray(1))).toThrow(RangeError);
    expect(() => sign(message, sk.subarray(1))).toThrow(/secretKey/);
    expect(() => getPublicKey(new Uint8Array(33))).toThrow(/secretKey/);
  });

  it('refuses secret keys outside [1, n−1] with CRYPTO_INVALID_SECRET_KEY', () => {
    for (const bad of [new Uint8Array(32), i2osp(N, 32), new Uint8Array(32).fill(0xff)]) {
      expect(
        isCryptoError(
          thrown(() => sign(message, bad)),
          'CRYPTO_INVALID_SECRET_KEY',
        ),
      ).toBe(true);
      expect(
        isCryptoError(
          thrown(() => getPublicKey(bad)),
          'CRYPTO_INVALID_SECRET_KEY',
        ),
      ).toBe(true);
    }
  });
});

describe('ECDSA malleability', () => {
  it('malleate gives the high-S twin, which still verifies; applying it twice restores the signature', () => {
    const twin = malleate(sig);
    expect(isLowS(twin)).toBe(false);
    expect(toHex(twin)).not.toBe(toHex(sig));
    expect(verify(twin, message, pk)).toBe(true);
    expect(malleate(twin)).toEqual(sig);
  });

  it('malleate refuses signatures of the wrong size or with s out of range', () => {
    expect(() => malleate(sig.subarray(1))).toThrow(/signature/);
    expect(() => malleate(concatBytes(sig.subarray(0, 32), new Uint8Array(32)))).toThrow(
      RangeError,
    );
    expect(() => malleate(concatBytes(sig.subarray(0, 32), i2osp(N, 32)))).toThrow(RangeError);
  });
});

describe('ECDSA verify on hostile input returns false and never throws', () => {
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32);
  const notOnCurve = concatBytes(Uint8Array.of(2), new Uint8Array(32).fill(0xff));

  it.each([
    ['a 63-byte signature', sig.subarray(0, 63), message, pk],
    ['a 65-byte signature', concatBytes(sig, Uint8Array.of(0)), message, pk],
    ['an empty signature', new Uint8Array(0), message, pk],
    ['a DER signature', hex('3006020101020101'), message, pk],
    ['r = 0', concatBytes(new Uint8Array(32), s), message, pk],
    ['s = 0', concatBytes(r, new Uint8Array(32)), message, pk],
    ['r = n', concatBytes(i2osp(N, 32), s), message, pk],
    ['s = n', concatBytes(r, i2osp(N, 32)), message, pk],
    ['r, s = 2^256 − 1', new Uint8Array(64).fill(0xff), message, pk],
    ['a wrong message', sig, utf8('offpay/v1/payment 99.00 EUR'), pk],
    ['a different key', sig, message, getPublicKey(generateSecretKey())],
    ['a key off the curve', sig, message, notOnCurve],
    ['an all-zero 65-byte key', sig, message, new Uint8Array(65)],
    ['a 64-byte raw key', sig, message, getPublicKey(sk, false).subarray(1)],
    ['a string signature', 'sig', message, pk],
    ['a null key', sig, message, null],
    ['an array message', sig, Array.from(message), pk],
  ])('%s', (_name, signature, msg, key) => {
    const call = () =>
      verify(signature as Uint8Array, msg as Uint8Array, key as unknown as Uint8Array);
    expect(call).not.toThrow();
    expect(call()).toBe(false);
  });

  it('isLowS is false for malformed signatures and for s = 0', () => {
    expect(isLowS(sig.subarray(1))).toBe(false);
    expect(isLowS(concatBytes(r, new Uint8Array(32)))).toBe(false);
  });
});

describe('ECDH sharedSecret', () => {
  const other = generateSecretKey();

  it('gives both parties the same 32-byte x-coordinate, whatever the key encoding', () => {
    const ab = sharedSecret(sk, getPublicKey(other));
    expect(ab).toHaveLength(32);
    expect(sharedSecret(other, pk)).toEqual(ab);
    expect(sharedSecret(sk, getPublicKey(other, false))).toEqual(ab);
  });

  it('refuses a peer key that is not a point with CRYPTO_INVALID_PUBLIC_KEY', () => {
    for (const bad of [
      new Uint8Array(65),
      new Uint8Array(33),
      pk.subarray(1),
      flipByte(pk, 0, 0x02),
    ]) {
      expect(
        isCryptoError(
          thrown(() => sharedSecret(sk, bad)),
          'CRYPTO_INVALID_PUBLIC_KEY',
        ),
      ).toBe(true);
    }
  });

  it('names the argument when it has the wrong type or size', () => {
    expect(() => sharedSecret(sk.subarray(1), pk)).toThrow(/secretKey/);
    expect(() => sharedSecret(sk, 'key' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => sharedSecret(sk, 'key' as unknown as Uint8Array)).toThrow(/publicKey/);
    const zero = thrown(() => sharedSecret(new Uint8Array(32), pk));
    expect(isCryptoError(zero, 'CRYPTO_INVALID_SECRET_KEY')).toBe(true);
  });
});

describe('AES-GCM', () => {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const aad = utf8('header');
  const plaintext = utf8('twenty bytes of text');
  const sealed = aesGcmEncrypt(key, nonce, plaintext, aad);

  it('round-trips and appends a 16-byte tag', () => {
    expect(sealed).toHaveLength(plaintext.length + 16);
    expect(aesGcmDecrypt(key, nonce, sealed, aad)).toEqual(plaintext);
  });

  it('throws CRYPTO_AEAD_AUTH_FAILED when any single byte of ciphertext or tag changes', () => {
    const accepted: number[] = [];
    for (let i = 0; i < sealed.length; i++) {
      const e = thrown(() => aesGcmDecrypt(key, nonce, flipByte(sealed, i), aad));
      if (!isCryptoError(e, 'CRYPTO_AEAD_AUTH_FAILED')) accepted.push(i);
    }
    expect(accepted).toEqual([]);
  });

  it('throws CRYPTO_AEAD_AUTH_FAILED for a wrong key, nonce or aad, or a body shorter than the tag', () => {
    const fails = (fn: () => unknown) =>
      expect(isCryptoError(thrown(fn), 'CRYPTO_AEAD_AUTH_FAILED')).toBe(true);
    fails(() => aesGcmDecrypt(randomBytes(32), nonce, sealed, aad));
    fails(() => aesGcmDecrypt(key, flipByte(nonce, 0), sealed, aad));
    fails(() => aesGcmDecrypt(key, nonce, sealed));
    fails(() => aesGcmDecrypt(key, nonce, sealed.subarray(0, 15), aad));
  });

  it('names the argument when it has the wrong type or size', () => {
    expect(() => aesGcmEncrypt(randomBytes(24), nonce, plaintext)).toThrow(/key must be 16 or 32/);
    expect(() => aesGcmEncrypt(key, randomBytes(16), plaintext)).toThrow(RangeError);
    expect(() => aesGcmEncrypt(key, randomBytes(16), plaintext)).toThrow(/nonce/);
    expect(() => aesGcmEncrypt(key, nonce, 'text' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => aesGcmDecrypt(key, nonce, sealed, 'aad' as unknown as Uint8Array)).toThrow(/aad/);
  });
});

describe('coded errors and argument checks', () => {
  it('isCryptoError matches on the code, so a copy of the package still agrees', () => {
    const e = new CryptoError('CRYPTO_AEAD_AUTH_FAILED', 'x');
    expect(isCryptoError(e)).toBe(true);
    expect(isCryptoError(e, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(false);
    expect(isCryptoError({ code: 'CRYPTO_HPKE_OPEN_FAILED' }, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(
      true,
    );
    expect(isCryptoError(new Error('CRYPTO_AEAD_AUTH_FAILED'))).toBe(false);
    expect(isCryptoError(null)).toBe(false);
  });

  it('hkdfExpand and randomBytes refuse out-of-range lengths with RangeError', () => {
    expect(() => hkdfExpand(randomBytes(32), new Uint8Array(0), 255 * 32 + 1)).toThrow(/length/);
    expect(() => hkdfExpand(randomBytes(32), new Uint8Array(0), -1)).toThrow(RangeError);
    expect(() => hkdfExpand(randomBytes(16), new Uint8Array(0), 32)).toThrow(/prk/);
    expect(hkdfExpand(randomBytes(32), new Uint8Array(0), 0)).toHaveLength(0);
    expect(() => randomBytes(-1)).toThrow(RangeError);
    expect(() => randomBytes(1.5)).toThrow(RangeError);
  });
});

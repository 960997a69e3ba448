/**
 * The keyring's node:crypto HPKE open and ECDSA signing (keys.native.ts) against the pure-JS path
 * of @offpay/crypto (noble) and the published RFC 9180 Appendix A vectors: the same plaintexts, the
 * same refusals, signatures every verifier accepts, always low-S.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  concatBytes,
  fromHex,
  generateSecretKey,
  getPublicKey,
  isCryptoError,
  isLowS,
  malleate,
  open,
  randomBytes,
  seal,
  sign,
  toHex,
  utf8,
  verify,
} from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { lowS, nativeKemKey, nativeSignKey } from '../../../src/modules/keys/keys.native.js';

interface HpkeVector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  skRm: string;
  enc: string;
  encryptions: { aad: string; ct: string; pt: string }[];
}

const VECTORS = new URL(
  '../../../../../packages/crypto/test/vectors/hpke/rfc9180-p256-hkdfsha256.json',
  import.meta.url,
);

/** The error code a call throws, or 'no error'. */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return isCryptoError(e) ? e.code : `not a CryptoError: ${String(e)}`;
  }
}

describe('native HPKE open', () => {
  it('opens the RFC 9180 A.3 base-mode AES-256-GCM vector (first message) to its plaintext', () => {
    const all = JSON.parse(readFileSync(VECTORS, 'utf8')) as HpkeVector[];
    const v = all.find((x) => x.mode === 0 && x.kem_id === 0x10 && x.aead_id === 2);
    expect(v).toBeDefined();
    const e = v!.encryptions[0]!;
    const sealed = concatBytes(fromHex(v!.enc), fromHex(e.ct));
    const pt = nativeKemKey(fromHex(v!.skRm)).open(fromHex(v!.info), sealed, fromHex(e.aad));
    expect(toHex(pt)).toBe(e.pt);
    // And noble agrees on the same bytes.
    expect(toHex(open(fromHex(v!.skRm), fromHex(v!.info), sealed, fromHex(e.aad)))).toBe(e.pt);
  });

  it('opens what noble seals, for empty to 300 KB plaintexts', () => {
    const sk = generateSecretKey();
    const key = nativeKemKey(sk);
    const info = utf8('offpay/v1/settlement');
    for (const size of [0, 1, 15, 16, 17, 360, 4096, 300_000]) {
      const pt = new Uint8Array(nodeRandomBytes(size));
      const sealed = seal(getPublicKey(sk), info, pt);
      expect(toHex(key.open(info, sealed))).toBe(toHex(pt));
    }
  });

  it('refuses exactly what noble refuses, with CRYPTO_HPKE_OPEN_FAILED', () => {
    const sk = generateSecretKey();
    const key = nativeKemKey(sk);
    const info = utf8('offpay/v1/settlement');
    const sealed = seal(getPublicKey(sk), info, randomBytes(200));
    const flip = (i: number) => {
      const b = new Uint8Array(sealed);
      b[i] = b[i]! ^ 0x01;
      return b;
    };
    // An off-curve enc: a valid x with a changed y.
    const offCurve = flip(64);
    // A hybrid (0x06/0x07) or compressed prefix on an otherwise valid point.
    const hybrid = new Uint8Array(sealed);
    hybrid[0] = 0x06 | (sealed[64]! & 1);
    const cases: [string, Uint8Array, Uint8Array][] = [
      ['ciphertext byte', flip(100), info],
      ['tag byte', flip(sealed.length - 1), info],
      ['enc x byte', flip(10), info],
      ['enc off the curve', offCurve, info],
      ['hybrid enc', hybrid, info],
      ['too short', sealed.subarray(0, 80), info],
      ['empty', new Uint8Array(0), info],
      ['other info', sealed, utf8('offpay/v1/payment')],
    ];
    for (const [name, bytes, i] of cases) {
      expect([name, codeOf(() => key.open(i, bytes))]).toEqual([name, 'CRYPTO_HPKE_OPEN_FAILED']);
      expect([name, codeOf(() => open(sk, i, bytes))]).toEqual([name, 'CRYPTO_HPKE_OPEN_FAILED']);
    }
    expect(codeOf(() => nativeKemKey(generateSecretKey()).open(info, sealed))).toBe(
      'CRYPTO_HPKE_OPEN_FAILED',
    );
  });
});

describe('native ECDSA signing', () => {
  it('gives 64-byte low-S signatures that noble verifies, over 200 messages', () => {
    const sk = generateSecretKey();
    const pk = getPublicKey(sk);
    const key = nativeSignKey(sk);
    for (let i = 0; i < 200; i++) {
      const message = randomBytes(i * 7);
      const sig = key.sign(message);
      expect(sig).toHaveLength(64);
      expect(isLowS(sig)).toBe(true);
      expect(verify(sig, message, pk)).toBe(true);
      // Bound to the message and the key.
      expect(verify(sig, concatBytes(message, Uint8Array.of(0)), pk)).toBe(false);
      expect(verify(sig, message, getPublicKey(generateSecretKey()))).toBe(false);
    }
  });

  it('normalises a high-S signature to its low-S twin and leaves a low-S one alone', () => {
    const sk = generateSecretKey();
    const message = utf8('settlement result');
    const low = sign(message, sk); // noble: RFC 6979, low-S
    const high = malleate(low);
    expect(isLowS(high)).toBe(false);
    expect(toHex(lowS(high))).toBe(toHex(low));
    expect(lowS(low)).toBe(low);
  });

  it('refuses a secret key outside [1, n−1]', () => {
    const n = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    expect(codeOf(() => nativeSignKey(new Uint8Array(32)))).toBe('CRYPTO_INVALID_SECRET_KEY');
    expect(codeOf(() => nativeSignKey(n))).toBe('CRYPTO_INVALID_SECRET_KEY');
  });
});

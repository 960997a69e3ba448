import { generateSecretKey, isCryptoError, kid, getPublicKey, randomBytes } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  deriveKeyEncryptionKey,
  describeSecretKey,
  kemKeyAccepted,
  openSecret,
  sealedSecretAad,
  sealSecret,
} from '../../../src/modules/keys/keys.domain.js';

const kek = deriveKeyEncryptionKey('a key-encryption secret of 32+ characters');

describe('sealing bank secrets', () => {
  it('round-trips, and binds the sealed key to its kind and kid', () => {
    const sk = generateSecretKey();
    const { kid: k } = describeSecretKey(sk);
    const aad = sealedSecretAad({ kind: 'sign', kid: k });
    const sealed = sealSecret(kek, aad, sk, randomBytes(12));
    expect(sealed).toHaveLength(12 + 32 + 16);
    expect(openSecret(kek, aad, sealed)).toEqual(sk);
    const moved = () => openSecret(kek, sealedSecretAad({ kind: 'kem', kid: k }), sealed);
    expect(moved).toThrow();
    try {
      moved();
    } catch (err) {
      expect(isCryptoError(err, 'CRYPTO_AEAD_AUTH_FAILED')).toBe(true);
    }
  });

  it('does not open under another secret, or with a flipped byte', () => {
    const sk = generateSecretKey();
    const aad = sealedSecretAad({ name: 'jwt' });
    const sealed = sealSecret(kek, aad, sk, randomBytes(12));
    expect(() =>
      openSecret(deriveKeyEncryptionKey('another secret, also 32+ characters!'), aad, sealed),
    ).toThrow();
    const flipped = new Uint8Array(sealed);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    expect(() => openSecret(kek, aad, flipped)).toThrow();
  });

  it('refuses a short key-encryption secret', () => {
    expect(() => deriveKeyEncryptionKey('too short')).toThrow(RangeError);
  });

  it('names keys by kid = SHA-256(compressed key)[0..8]', () => {
    const sk = generateSecretKey();
    expect(describeSecretKey(sk)).toEqual({
      publicKey: getPublicKey(sk),
      kid: kid(getPublicKey(sk)),
    });
  });

  it('accepts a retired KEM key only within its grace', () => {
    const now = new Date('2030-01-10T00:00:00Z');
    expect(kemKeyAccepted(null, now, 60)).toBe(true);
    expect(kemKeyAccepted(new Date(now.getTime() - 60_000), now, 60)).toBe(true);
    expect(kemKeyAccepted(new Date(now.getTime() - 61_000), now, 60)).toBe(false);
  });
});

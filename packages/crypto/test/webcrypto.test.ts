/**
 * Interop with the platform's own implementations: WebCrypto (`globalThis.crypto.subtle`, which
 * browsers expose too) and `node:crypto` (OpenSSL, the bank's native fast path).
 */
import {
  createPrivateKey,
  createPublicKey,
  createVerify,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  generateSecretKey,
  getPublicKey,
  hkdf,
  isLowS,
  jwkToSecretKey,
  publicKeyToJwk,
  randomBytes,
  secretKeyToJwk,
  sharedSecret,
  sign,
  utf8,
  verify,
} from '../src/index.js';

const subtle = globalThis.crypto.subtle;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** WebCrypto results as bytes. */
const bytes = (buffer: ArrayBuffer) => new Uint8Array(buffer);
/**
 * Our bytes as a WebCrypto `BufferSource`: the DOM typings want an ArrayBuffer-backed view, while
 * the package returns `Uint8Array<ArrayBufferLike>`. The copy changes nothing at run time.
 */
const src = (data: Uint8Array) => new Uint8Array(data);

describe('ECDSA P-256 SHA-256 against WebCrypto', () => {
  it('WebCrypto verifies our signatures (P1363 r‖s is its native format)', async () => {
    const sk = generateSecretKey();
    const key = await subtle.importKey('raw', src(getPublicKey(sk, false)), ECDSA, false, [
      'verify',
    ]);
    for (let i = 0; i < 16; i++) {
      const message = randomBytes(i * 7);
      const sig = sign(message, sk);
      expect(await subtle.verify(ECDSA_SHA256, key, src(sig), src(message))).toBe(true);
      expect(await subtle.verify(ECDSA_SHA256, key, src(sig), src(utf8('other')))).toBe(false);
    }
  });

  it('we verify WebCrypto signatures, including the high-S ones it produces', async () => {
    const pair = await subtle.generateKey(ECDSA, true, ['sign', 'verify']);
    const publicKey = bytes(await subtle.exportKey('raw', pair.publicKey));
    let highS = 0;
    const failures: number[] = [];
    for (let i = 0; i < 64; i++) {
      const message = randomBytes(1 + i);
      const sig = bytes(await subtle.sign(ECDSA_SHA256, pair.privateKey, src(message)));
      if (!isLowS(sig)) highS += 1;
      if (!verify(sig, message, publicKey)) failures.push(i);
    }
    expect(failures).toEqual([]);
    // WebCrypto does not normalise s: about half of 64 signatures are high-S (none: p = 2^-64).
    expect(highS).toBeGreaterThan(0);
  });

  it('exports the same JWK coordinates as WebCrypto for the same key', async () => {
    const pair = await subtle.generateKey(ECDSA, true, ['sign', 'verify']);
    const jwk = await subtle.exportKey('jwk', pair.privateKey);
    const sk = jwkToSecretKey(jwk);
    const ours = secretKeyToJwk(sk);
    expect([ours.x, ours.y, ours.d]).toEqual([jwk.x, jwk.y, jwk.d]);
  });
});

describe('ECDSA P-256 SHA-256 against node:crypto (ieee-p1363)', () => {
  const sk = generateSecretKey();
  const publicKey = createPublicKey({
    key: { ...publicKeyToJwk(getPublicKey(sk)) },
    format: 'jwk',
  });
  const privateKey = createPrivateKey({ key: { ...secretKeyToJwk(sk) }, format: 'jwk' });
  const messages = [new Uint8Array(0), utf8('offpay'), randomBytes(300), randomBytes(4096)];

  it('node:crypto verifies our signatures with createVerify and crypto.verify', () => {
    for (const message of messages) {
      const sig = sign(message, sk);
      const key = { key: publicKey, dsaEncoding: 'ieee-p1363' } as const;
      expect(createVerify('SHA256').update(message).verify(key, sig)).toBe(true);
      expect(nodeVerify('sha256', message, key, sig)).toBe(true);
      expect(nodeVerify('sha256', utf8('tampered'), key, sig)).toBe(false);
    }
  });

  it('we verify node:crypto signatures', () => {
    for (const message of messages) {
      const sig = nodeSign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      expect(verify(new Uint8Array(sig), message, getPublicKey(sk))).toBe(true);
    }
  });
});

describe('ECDH P-256 against WebCrypto', () => {
  it('agrees with deriveBits(256) in both directions', async () => {
    for (let i = 0; i < 4; i++) {
      const web = await subtle.generateKey(ECDH, true, ['deriveBits']);
      const webPublic = bytes(await subtle.exportKey('raw', web.publicKey));
      const sk = generateSecretKey();
      const ourPrivate = await subtle.importKey('jwk', secretKeyToJwk(sk), ECDH, false, [
        'deriveBits',
      ]);
      const ourPublic = await subtle.importKey('raw', src(getPublicKey(sk, false)), ECDH, true, []);

      const ours = sharedSecret(sk, webPublic);
      const theirs = bytes(
        await subtle.deriveBits({ name: 'ECDH', public: ourPublic }, web.privateKey, 256),
      );
      const mirrored = bytes(
        await subtle.deriveBits({ name: 'ECDH', public: web.publicKey }, ourPrivate, 256),
      );
      expect(ours).toHaveLength(32);
      expect(theirs).toEqual(ours);
      expect(mirrored).toEqual(ours);
    }
  });
});

describe('AES-GCM (128-bit tag) against WebCrypto', () => {
  const cases = [16, 32].flatMap((keyLength) =>
    [0, 13].flatMap((aadLength) => [0, 1, 300].map((n) => ({ keyLength, aadLength, n }))),
  );

  it.each(cases)(
    'key $keyLength bytes, aad $aadLength bytes, $n-byte message: both directions agree',
    async ({ keyLength, aadLength, n }) => {
      const [key, nonce, aad, message] = [
        randomBytes(keyLength),
        randomBytes(12),
        randomBytes(aadLength),
        randomBytes(n),
      ];
      const webKey = await subtle.importKey('raw', src(key), 'AES-GCM', false, [
        'encrypt',
        'decrypt',
      ]);
      const params = { name: 'AES-GCM', iv: src(nonce), additionalData: src(aad), tagLength: 128 };

      const ours = aesGcmEncrypt(key, nonce, message, aad);
      expect(bytes(await subtle.decrypt(params, webKey, src(ours)))).toEqual(message);

      const theirs = bytes(await subtle.encrypt(params, webKey, src(message)));
      expect(theirs).toEqual(ours);
      expect(aesGcmDecrypt(key, nonce, theirs, aad)).toEqual(message);
    },
  );
});

describe('HKDF-SHA256 against WebCrypto', () => {
  it('derives the same bytes for several salts, infos and lengths', async () => {
    for (const [saltLength, infoLength, length] of [
      [0, 0, 32],
      [32, 10, 42],
      [13, 200, 255 * 32],
    ] as const) {
      const [ikm, salt, info] = [randomBytes(32), randomBytes(saltLength), randomBytes(infoLength)];
      const key = await subtle.importKey('raw', src(ikm), 'HKDF', false, ['deriveBits']);
      const expected = bytes(
        await subtle.deriveBits(
          { name: 'HKDF', hash: 'SHA-256', salt: src(salt), info: src(info) },
          key,
          length * 8,
        ),
      );
      expect(hkdf(ikm, salt, info, length)).toEqual(expected);
    }
  });
});

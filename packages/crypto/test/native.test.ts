/**
 * The WebCrypto-native twins (`verifyAsync`, `sharedSecretAsync`, `sealAsync`, `openAsync`,
 * `withNativeVerify`) against the published vectors and against noble, in both directions. Node's
 * `globalThis.crypto.subtle` is the WebCrypto API the browsers expose, so this runs the native path;
 * `disableNativeP256(true)` runs the noble fallback of the same functions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  compressPublicKey,
  disableNativeP256,
  equalBytes,
  generateSecretKey,
  getPublicKey,
  hasNativeP256,
  i2osp,
  isCryptoError,
  isLowS,
  malleate,
  nativeVerdicts,
  open,
  openAsync,
  randomBytes,
  seal,
  sealAsync,
  setupSealAsync,
  sharedSecret,
  sharedSecretAsync,
  sign,
  toBase64Url,
  toHex,
  utf8,
  verify,
  verifyAsync,
  withNativeVerify,
  type VerifyFn,
} from '../src/index.js';
import { flipByte, hex, readVector, type WycheproofCase, type WycheproofFile } from './helpers.js';

afterEach(() => disableNativeP256(false));

interface EcdsaCase extends WycheproofCase {
  msg: string;
  sig: string;
}
interface EcdhCase extends WycheproofCase {
  public: string;
  private: string;
  shared: string;
}

/** Runs every case (async) and returns the failures, naming the tcId, and the counts by result. */
async function runAsync<G, T extends WycheproofCase>(
  file: WycheproofFile<G, T>,
  check: (t: T, g: G) => Promise<string | null>,
) {
  const failures: string[] = [];
  const counts = { valid: 0, invalid: 0, acceptable: 0 };
  for (const group of file.testGroups) {
    for (const t of group.tests) {
      counts[t.result] += 1;
      const reason = await check(t, group).catch((e: unknown) => `threw ${String(e)}`);
      if (reason !== null) failures.push(`tcId ${t.tcId} (${t.result}, ${t.comment}): ${reason}`);
    }
  }
  return { failures, counts };
}

const ecdsaFile = readVector<WycheproofFile<{ publicKey: { uncompressed: string } }, EcdsaCase>>(
  'wycheproof/ecdsa_secp256r1_sha256_p1363_test.json',
);
const ecdhFile = readVector<WycheproofFile<object, EcdhCase>>(
  'wycheproof/ecdh_secp256r1_ecpoint_test.json',
);

describe('native P-256 in Node', () => {
  it('is detected (Node has WebCrypto P-256), and is off when disabled', async () => {
    expect(await hasNativeP256()).toBe(true);
    disableNativeP256(true);
    expect(await hasNativeP256()).toBe(false);
  });
});

describe.each([
  ['WebCrypto', false],
  ['noble fallback', true],
] as const)('verifyAsync (%s)', (_name, disabled) => {
  it('agrees with every Wycheproof ECDSA P-256 P1363 case, with either key encoding', async () => {
    disableNativeP256(disabled);
    const { failures, counts } = await runAsync(ecdsaFile, async (t, g) => {
      const uncompressed = hex(g.publicKey.uncompressed);
      const compressed = compressPublicKey(uncompressed);
      const results = await Promise.all(
        [uncompressed, compressed].map((k) => verifyAsync(hex(t.sig), hex(t.msg), k)),
      );
      const expected = t.result !== 'invalid';
      return results.every((r) => r === expected) ? null : `verifyAsync gave ${results.join('/')}`;
    });
    expect(failures).toEqual([]);
    expect(counts).toEqual({ valid: 173, invalid: 89, acceptable: 0 });
  });

  it('agrees with noble on random signatures, their high-S twins and tampered messages', async () => {
    disableNativeP256(disabled);
    for (let i = 0; i < 24; i++) {
      const sk = generateSecretKey();
      const pk = getPublicKey(sk, i % 2 === 0);
      const message = randomBytes(i * 5);
      const sig = sign(message, sk);
      const other = flipByte(utf8(`m${i}`), 0);
      for (const [s, m] of [
        [sig, message],
        [malleate(sig), message],
        [sig, other],
        [flipByte(sig, i), message],
      ] as const) {
        expect(await verifyAsync(s, m, pk)).toBe(verify(s, m, pk));
      }
    }
  });

  it('gives false, never a rejection, for hostile shapes', async () => {
    disableNativeP256(disabled);
    const pk = getPublicKey(generateSecretKey());
    const m = utf8('x');
    const sig = new Uint8Array(64).fill(1);
    expect(await verifyAsync(new Uint8Array(63), m, pk)).toBe(false);
    expect(await verifyAsync(sig, m, new Uint8Array(33))).toBe(false);
    expect(await verifyAsync(sig, m, new Uint8Array(40))).toBe(false);
    expect(await verifyAsync(new Uint8Array(64), m, pk)).toBe(false);
    expect(await verifyAsync(null as unknown as Uint8Array, m, pk)).toBe(false);
  });
});

/** Wycheproof private keys are big-endian two's-complement: normalise to 32 bytes. */
const scalar = (privateHex: string) => i2osp(BigInt(`0x${privateHex}`), 32);

describe('sharedSecretAsync (WebCrypto ECDH)', () => {
  it('agrees with every Wycheproof ECDH P-256 SEC1 case: the secret, or a coded refusal', async () => {
    const { failures, counts } = await runAsync(ecdhFile, async (t) => {
      try {
        const out = toHex(await sharedSecretAsync(scalar(t.private), hex(t.public)));
        if (t.result === 'invalid') return `returned ${out}`;
        return out === t.shared ? null : `got ${out}`;
      } catch (e) {
        if (t.result !== 'invalid') return `threw ${String(e)}`;
        return isCryptoError(e, 'CRYPTO_INVALID_PUBLIC_KEY') ||
          isCryptoError(e, 'CRYPTO_INVALID_SECRET_KEY')
          ? null
          : `threw an uncoded error: ${String(e)}`;
      }
    });
    expect(failures).toEqual([]);
    expect(counts).toEqual({ valid: 330, invalid: 24, acceptable: 1 });
  });

  it('agrees with noble sharedSecret on random key pairs', async () => {
    for (let i = 0; i < 16; i++) {
      const a = generateSecretKey();
      const b = getPublicKey(generateSecretKey(), i % 2 === 0);
      expect(toHex(await sharedSecretAsync(a, b))).toBe(toHex(sharedSecret(a, b)));
    }
  });
});

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

describe('sealAsync / openAsync (HPKE with WebCrypto ECDH)', () => {
  const vector = readVector<HpkeVector[]>('hpke/rfc9180-p256-hkdfsha256.json').find(
    (v) => v.mode === 0 && v.kem_id === 0x10 && v.kdf_id === 1 && v.aead_id === 2,
  )!;

  it('opens the RFC 9180 A.3 (AES-256-GCM) single-shot ciphertext to its plaintext', async () => {
    const first = vector.encryptions[0]!;
    const sealed = new Uint8Array([...hex(vector.enc), ...hex(first.ct)]);
    const pt = await openAsync(hex(vector.skRm), hex(vector.info), sealed, hex(first.aad));
    expect(toHex(pt)).toBe(first.pt);
  });

  it('interoperates with noble both ways, and each side refuses what it should', async () => {
    for (let i = 0; i < 12; i++) {
      const sk = generateSecretKey();
      const pk = getPublicKey(sk, i % 2 === 0);
      const info = utf8(`info ${i}`);
      const pt = randomBytes(i * 31);
      const aad = randomBytes(i % 3);
      const native = await sealAsync(pk, info, pt, aad);
      expect(equalBytes(open(sk, info, native, aad), pt)).toBe(true);
      expect(equalBytes(await openAsync(sk, info, seal(pk, info, pt, aad), aad), pt)).toBe(true);
      expect(equalBytes(await openAsync(sk, info, native, aad), pt)).toBe(true);
      for (const bad of [
        flipByte(native, 70), // ciphertext
        flipByte(native, native.length - 1), // tag
        flipByte(native, 40), // enc: off the curve
        native.subarray(0, 80), // too short
      ]) {
        const e = await openAsync(sk, info, bad, aad).catch((x: unknown) => x);
        expect(isCryptoError(e, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(true);
      }
      const wrongInfo = await openAsync(sk, utf8('other'), native, aad).catch((x: unknown) => x);
      expect(isCryptoError(wrongInfo, 'CRYPTO_HPKE_OPEN_FAILED')).toBe(true);
    }
  });

  it('uses a fresh ephemeral key every time', async () => {
    const pk = getPublicKey(generateSecretKey());
    const a = await sealAsync(pk, utf8('i'), utf8('same'));
    const b = await sealAsync(pk, utf8('i'), utf8('same'));
    expect(toHex(a.subarray(0, 65))).not.toBe(toHex(b.subarray(0, 65)));
  });

  it('refuses a recipient key that is not a point with CRYPTO_INVALID_PUBLIC_KEY', async () => {
    const e = await sealAsync(new Uint8Array(33).fill(5), utf8('i'), utf8('p')).catch(
      (x: unknown) => x,
    );
    expect(isCryptoError(e, 'CRYPTO_INVALID_PUBLIC_KEY')).toBe(true);
  });

  it('falls back to noble when WebCrypto P-256 is unavailable, with the same wire format', async () => {
    disableNativeP256(true);
    const sk = generateSecretKey();
    const pk = getPublicKey(sk);
    const sealed = await sealAsync(pk, utf8('i'), utf8('fallback'));
    disableNativeP256(false);
    expect(new TextDecoder().decode(await openAsync(sk, utf8('i'), sealed))).toBe('fallback');
  });
});

describe('withNativeVerify (the synchronous Verifier seam on WebCrypto)', () => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const m1 = utf8('first');
  const m2 = utf8('second');
  const good1 = sign(m1, sk);
  const good2 = sign(m2, sk);
  const bad2 = flipByte(good2, 10);
  /** A check like the protocol's: two signatures in order, then a rule of its own. */
  const check = (sig2: Uint8Array, ruleOk: boolean) => (v: VerifyFn) => {
    if (!v(good1, m1, pk)) throw new Error('first signature');
    if (!v(sig2, m2, pk)) throw new Error('second signature');
    if (!ruleOk) throw new Error('rule');
    return 'accepted';
  };
  const outcome = (p: Promise<string>) => p.catch((e: Error) => `error: ${e.message}`);
  const noble = (c: (v: VerifyFn) => string) => {
    try {
      return c(verify);
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };

  it('gives the outcome the check gives with noble verify, for every combination', async () => {
    for (const sig2 of [good2, bad2, malleate(good2)]) {
      for (const ruleOk of [true, false]) {
        const c = check(sig2, ruleOk);
        expect(await outcome(withNativeVerify(c))).toBe(noble(c));
      }
    }
    // A bad signature wins over a later rule, as it does with noble.
    expect(await outcome(withNativeVerify(check(bad2, false)))).toBe('error: second signature');
  });

  it('verifies every signature the check asks about, natively', async () => {
    const asked: boolean[] = [];
    await withNativeVerify((v) => {
      asked.push(v(good1, m1, pk), v(good2, m2, pk));
    });
    expect(asked).toEqual([true, true]);
    const again: boolean[] = [];
    await withNativeVerify((v) => {
      again.push(v(good1, m1, pk), v(bad2, m2, pk));
    });
    // First run: assumed valid; second run: the native verdicts.
    expect(again).toEqual([true, true, true, false]);
  });
});

describe('nativeVerdicts (verdicts found before a check that cannot wait)', () => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const m1 = utf8('certificate');
  const m2 = utf8('payment');
  const good1 = sign(m1, sk);
  const good2 = sign(m2, sk);
  const check = (s1: Uint8Array, s2: Uint8Array) => (v: VerifyFn) => {
    if (!v(s1, m1, pk)) throw new Error('first');
    return v(s2, m2, pk);
  };

  it('answers the check with the verdicts noble would give, by the bytes asked about', async () => {
    for (const [s1, s2] of [
      [good1, good2],
      [good1, flipByte(good2, 3)],
      [flipByte(good1, 40), good2],
      [malleate(good1), malleate(good2)], // high-S verifies
    ] as const) {
      const { verifier, allValid, asked } = await nativeVerdicts(check(s1, s2));
      expect(asked).toHaveLength(2); // the first run takes each as valid, to learn all of them
      expect(allValid).toBe(verify(s1, m1, pk) && verify(s2, m2, pk));
      // Copies of the bytes (the protocol builds the signed message anew each time) are found.
      expect(verifier(s1.slice(), m1.slice(), pk.slice())).toBe(verify(s1, m1, pk));
      expect(verifier(s2.slice(), m2.slice(), pk.slice())).toBe(verify(s2, m2, pk));
    }
  });

  it('verifies with noble what it was not asked about beforehand', async () => {
    const { verifier } = await nativeVerdicts(check(good1, good2));
    expect(verifier(flipByte(good2, 5), m2, pk)).toBe(false);
    expect(verifier(sign(utf8('other'), sk), utf8('other'), pk)).toBe(true);
  });

  it('takes signatures already known valid without verifying them again', async () => {
    // A stand-in for a remembered certificate signature: trusted as given (here, wrongly).
    const remembered = [flipByte(good1, 7), m1, pk] as const;
    const { verifier, allValid } = await nativeVerdicts(check(remembered[0], good2), [remembered]);
    expect(allValid).toBe(true);
    expect(verifier(...remembered)).toBe(true);
    // Without it, the same bytes are verified and refused.
    expect((await nativeVerdicts(check(remembered[0], good2))).allValid).toBe(false);
  });
});

describe('setupSealAsync (the key agreement before the plaintext exists)', () => {
  it('seals once, synchronously, what open and openAsync open; a second seal throws', async () => {
    for (const native of [true, false]) {
      disableNativeP256(!native);
      const sk = generateSecretKey();
      const sealer = await setupSealAsync(getPublicKey(sk), utf8('info'));
      const sealed = sealer.seal(utf8('payment'), utf8('aad'));
      expect(() => sealer.seal(utf8('payment'))).toThrow(RangeError);
      disableNativeP256(false);
      expect(new TextDecoder().decode(open(sk, utf8('info'), sealed, utf8('aad')))).toBe('payment');
      const opened = await openAsync(sk, utf8('info'), sealed, utf8('aad'));
      expect(new TextDecoder().decode(opened)).toBe('payment');
    }
  });

  it('refuses a recipient key that is not a point with CRYPTO_INVALID_PUBLIC_KEY', async () => {
    const e = await setupSealAsync(new Uint8Array(33).fill(5), utf8('i')).catch((x: unknown) => x);
    expect(isCryptoError(e, 'CRYPTO_INVALID_PUBLIC_KEY')).toBe(true);
  });
});

/**
 * Why signing stays on noble (docs/protocol.md §2: signers use RFC 6979 deterministic nonces and
 * produce low-S signatures). WebCrypto's ECDSA draws a random nonce: its signatures verify and
 * could be normalised to low-S, but they can never be the RFC 6979 signature.
 */
describe('signing: WebCrypto cannot give the protocol its RFC 6979 signatures', () => {
  // RFC 6979 §A.2.5 (P-256, SHA-256), message "sample".
  const d = hex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
  const r = 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716';
  const message = utf8('sample');
  const webSign = async () => {
    const pub = getPublicKey(d, false);
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: toBase64Url(pub.subarray(1, 33)),
      y: toBase64Url(pub.subarray(33)),
      d: toBase64Url(d),
    };
    const alg = { name: 'ECDSA', namedCurve: 'P-256' };
    const key = await crypto.subtle.importKey('jwk', jwk, alg, false, ['sign']);
    const sig = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      new Uint8Array(message),
    );
    return new Uint8Array(sig);
  };

  it('noble gives the RFC 6979 signature every time; WebCrypto a different, random one', async () => {
    expect(toHex(sign(message, d).subarray(0, 32))).toBe(r);
    expect(toHex(sign(message, d))).toBe(toHex(sign(message, d)));
    const [a, b] = [await webSign(), await webSign()];
    expect(toHex(a)).not.toBe(toHex(b));
    expect(toHex(a.subarray(0, 32))).not.toBe(r);
    // Both verify (noble, high-S accepted), and low-S after normalising when high.
    for (const s of [a, b]) {
      const low = isLowS(s) ? s : malleate(s);
      expect(verify(s, message, getPublicKey(d))).toBe(true);
      expect(isLowS(low) && verify(low, message, getPublicKey(d))).toBe(true);
    }
  });
});

/**
 * WebCrypto's native P-256 (`globalThis.crypto.subtle`) for the two costly operations of a
 * payment on a device: ECDSA verification and HPKE's ECDH. WebCrypto is asynchronous, so these
 * are the async twins of `verify`, `seal` and `open`, with the same contracts and the same bytes
 * on the wire. Where `crypto.subtle` is missing (an insecure context) or lacks P-256, they run
 * noble instead. For callers that must not await in the middle of their work (an IndexedDB
 * transaction), `nativeVerdicts` verifies a check's signatures beforehand and `setupSealAsync`
 * does a seal's key agreement before its plaintext exists. Signing stays on noble:
 * docs/protocol.md §2 asks for RFC 6979 deterministic signatures, which WebCrypto's randomized
 * ECDSA cannot give (test/native.test.ts shows it; docs/PERFORMANCE.md "Devices").
 */
import { assertBytes, concatBytes, equalBytes, toBase64Url } from './bytes.js';
import { generateSecretKey, verify as nobleVerify, SIGNATURE_LENGTH } from './ecdsa.js';
import { sharedSecret as nobleSharedSecret } from './ecdh.js';
import { CryptoError, isCryptoError } from './errors.js';
import {
  AEAD,
  ENC_LENGTH,
  HpkeContext,
  extractAndExpand,
  keySchedule,
  setupBaseSWith,
} from './hpke-core.js';
import { open as nobleOpen, seal as nobleSeal } from './hpke.js';
import { p256 } from './p256.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const EMPTY = new Uint8Array(0);
/** Imported public keys kept (a till verifies one bank key and a few payer keys again and again). */
const KEY_CACHE_SIZE = 64;

/** A WebCrypto key (opaque here). */
type Key = { readonly type: string };

/**
 * The part of WebCrypto's `SubtleCrypto` used here, typed locally: the bank compiles this package
 * without the DOM library.
 */
interface Subtle {
  importKey(
    format: 'raw' | 'jwk',
    keyData: Uint8Array | object,
    algorithm: object,
    extractable: boolean,
    usages: string[],
  ): Promise<Key>;
  verify(algorithm: object, key: Key, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
  generateKey(
    algorithm: object,
    extractable: boolean,
    usages: string[],
  ): Promise<{ publicKey: Key; privateKey: Key }>;
  exportKey(format: 'raw', key: Key): Promise<ArrayBuffer>;
  deriveBits(
    algorithm: { name: 'ECDH'; public: Key },
    baseKey: Key,
    length: number,
  ): Promise<ArrayBuffer>;
}

/** Our bytes as they are handed to WebCrypto. */
const src = (data: Uint8Array) => data;

let probe: Promise<Subtle | undefined> | undefined;

/**
 * WebCrypto's `subtle` when it does P-256 ECDSA and ECDH here, else undefined. Probed once, by
 * importing a known point for both algorithms.
 */
function nativeSubtle(): Promise<Subtle | undefined> {
  probe ??= (async () => {
    const subtle = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
    if (!subtle) return undefined;
    try {
      const point = src(p256.Point.BASE.toBytes(false));
      await subtle.importKey('raw', point, ECDSA, false, ['verify']);
      await subtle.importKey('raw', point, ECDH, false, []);
      return subtle;
    } catch {
      return undefined;
    }
  })();
  return probe;
}

/** True iff WebCrypto's native P-256 is used here (false: noble). */
export async function hasNativeP256(): Promise<boolean> {
  return (await nativeSubtle()) !== undefined;
}

/** Forces the noble path (tests compare both on one machine); `false` probes again. */
export function disableNativeP256(disabled: boolean): void {
  probe = disabled ? Promise.resolve(undefined) : undefined;
}

/** A bounded map: the oldest entry goes when it is full. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  get(key: string): V | undefined {
    return this.entries.get(key);
  }
  set(key: string, value: V): void {
    if (this.entries.size >= KEY_CACHE_SIZE) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, value);
  }
}

/**
 * A map key for a public key's bytes: one char per byte for a key's length (at most 65 bytes,
 * the common case, built at once), else the bytes in hex joined by commas (longer: no clash).
 */
const hexKey = (bytes: Uint8Array) =>
  bytes.length <= 65
    ? String.fromCharCode(...bytes)
    : Array.from(bytes, (b) => b.toString(16)).join(',');
const verifyKeys = new Lru<Promise<Key>>();
const ecdhKeys = new Lru<{ key: Promise<Key>; uncompressed: Uint8Array }>();

/** The 65-byte form of a SEC1 key; throws for bytes that are not a point. */
function uncompressed(publicKey: Uint8Array): Uint8Array {
  return p256.Point.fromBytes(publicKey).toBytes(false);
}

function verifyKey(subtle: Subtle, publicKey: Uint8Array): Promise<Key> {
  const id = hexKey(publicKey);
  let key = verifyKeys.get(id);
  if (!key) {
    key = subtle.importKey('raw', src(uncompressed(publicKey)), ECDSA, false, ['verify']);
    verifyKeys.set(id, key);
    key.catch(() => undefined);
  }
  return key;
}

/**
 * `verify` on WebCrypto: true iff `signature` (64-byte `r ‖ s`, high-S accepted) is valid for
 * `message` under `publicKey` (33- or 65-byte SEC1). Never rejects: hostile input gives `false`.
 */
export async function verifyAsync(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
  if (!(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
  if (publicKey.length !== 33 && publicKey.length !== 65) return false;
  const subtle = await nativeSubtle();
  if (!subtle) return nobleVerify(signature, message, publicKey);
  try {
    const key = await verifyKey(subtle, publicKey);
    return await subtle.verify(ECDSA_SHA256, key, src(signature), src(message));
  } catch {
    return false;
  }
}

/** A synchronous verifier with the contract of `verify` (the protocol's `Verifier` seam). */
export type VerifyFn = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

/**
 * Runs a synchronous, side-effect-free `check` that verifies signatures through the `VerifyFn`
 * it is given, with those signatures verified natively. The check runs once with every signature
 * it asks about taken as valid; then each is verified with {@link verifyAsync}. When all are
 * valid, that run's outcome (value or error) is the outcome. When one is not, the check runs
 * again with the verdicts now known, so it fails exactly where and how it would have with `verify`
 * (a signature it did not ask about the first time is verified with noble).
 * @example
 * ```ts
 * const accepted = await withNativeVerify((v) => verifyOpenedPayment(bytes, { ...ctx, verifier: v }));
 * ```
 */
export async function withNativeVerify<T>(check: (verifier: VerifyFn) => T): Promise<T> {
  const asked: [Uint8Array, Uint8Array, Uint8Array][] = [];
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = {
      value: check((signature, message, publicKey) => {
        asked.push([signature, message, publicKey]);
        return true;
      }),
    };
  } catch (error) {
    outcome = { error };
  }
  const verdicts = await Promise.all(asked.map(([s, m, k]) => verifyAsync(s, m, k)));
  if (verdicts.every(Boolean)) {
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }
  const known = (s: Uint8Array, m: Uint8Array, k: Uint8Array) => {
    const i = asked.findIndex(([as, am, ak]) => as === s && am === m && ak === k);
    return i >= 0 ? verdicts[i]! : nobleVerify(s, m, k);
  };
  return check(known);
}

/** Signature verdicts found ahead of a check that cannot wait for them ({@link nativeVerdicts}). */
export interface Verdicts {
  /** Answers with the verdict found for the same bytes; noble's `verify` for any other. */
  verifier: VerifyFn;
  /** True iff every signature the check asked about verified. */
  allValid: boolean;
  /** The signatures the check asked about (to remember, or to pass as `known` later). */
  asked: readonly (readonly [Uint8Array, Uint8Array, Uint8Array])[];
}

const sameTriple = (
  [s, m, k]: readonly [Uint8Array, Uint8Array, Uint8Array],
  s2: Uint8Array,
  m2: Uint8Array,
  k2: Uint8Array,
) => equalBytes(s, s2) && equalBytes(m, m2) && equalBytes(k, k2);

/**
 * Verifies natively, beforehand, every signature a synchronous, side-effect-free `check` asks
 * about (it runs once with each taken as valid, as in {@link withNativeVerify}), and returns a
 * synchronous verifier that answers with those verdicts. For a check that must run where nothing
 * may be awaited — inside an IndexedDB transaction — yet should not pay for pure-JS verification.
 * `known` are signatures already verified valid (the same bytes: a payer certificate seen before);
 * they are answered `true` without verifying again. Anything else the later check asks about is
 * verified with noble, so a verdict is never guessed.
 */
export async function nativeVerdicts(
  check: (verifier: VerifyFn) => unknown,
  known: readonly (readonly [Uint8Array, Uint8Array, Uint8Array])[] = [],
): Promise<Verdicts> {
  const asked: [Uint8Array, Uint8Array, Uint8Array][] = [];
  try {
    check((signature, message, publicKey) => {
      asked.push([signature, message, publicKey]);
      return true;
    });
  } catch {
    // The later check fails the same way (or earlier, with a real verdict): nothing to learn here.
  }
  const verdicts = await Promise.all(
    asked.map(([s, m, k]) =>
      known.some((t) => sameTriple(t, s, m, k)) ? Promise.resolve(true) : verifyAsync(s, m, k),
    ),
  );
  const verifier: VerifyFn = (s, m, k) => {
    const i = asked.findIndex((t) => sameTriple(t, s, m, k));
    if (i >= 0) return verdicts[i]!;
    return known.some((t) => sameTriple(t, s, m, k)) || nobleVerify(s, m, k);
  };
  return { verifier, allValid: verdicts.every(Boolean), asked };
}

/**
 * A peer's public key imported for ECDH, and its 65-byte form. noble checks the point first (for
 * the same refusals as `sharedSecret`); `cache` keeps it (a recipient's key, not an `enc`).
 */
function ecdhPublicKey(subtle: Subtle, publicKey: Uint8Array, cache: boolean) {
  const id = cache ? hexKey(publicKey) : '';
  let entry = cache ? ecdhKeys.get(id) : undefined;
  if (!entry) {
    let point: Uint8Array;
    try {
      point = uncompressed(publicKey);
    } catch {
      throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'public key is not a valid P-256 point');
    }
    entry = { key: subtle.importKey('raw', src(point), ECDH, false, []), uncompressed: point };
    if (cache) ecdhKeys.set(id, entry);
  }
  return entry;
}

/** A till's KEM secret key imported once per key object (it is the same on every payment). */
const ecdhSecretKeys = new WeakMap<Uint8Array, { key: Promise<Key>; publicKey: Uint8Array }>();

function ecdhSecretKey(subtle: Subtle, secretKey: Uint8Array) {
  let entry = ecdhSecretKeys.get(secretKey);
  if (!entry) {
    if (!p256.utils.isValidSecretKey(secretKey)) {
      throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'secret key is not in [1, n-1]');
    }
    const publicKey = p256.getPublicKey(secretKey, false);
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: toBase64Url(publicKey.subarray(1, 33)),
      y: toBase64Url(publicKey.subarray(33)),
      d: toBase64Url(secretKey),
    };
    entry = { key: subtle.importKey('jwk', jwk, ECDH, false, ['deriveBits']), publicKey };
    ecdhSecretKeys.set(secretKey, entry);
  }
  return entry;
}

async function deriveBits(subtle: Subtle, publicKey: Key, secret: Key) {
  return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: publicKey }, secret, 256));
}

/**
 * `sharedSecret` on WebCrypto: the 32-byte x-coordinate of `secretKey · publicKey` (33- or 65-byte
 * SEC1, validated as a point).
 * @throws CRYPTO_INVALID_PUBLIC_KEY, CRYPTO_INVALID_SECRET_KEY as `sharedSecret` does.
 */
export async function sharedSecretAsync(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  cachePublicKey = false,
): Promise<Uint8Array> {
  assertBytes(secretKey, 'secretKey', 32);
  assertBytes(publicKey, 'publicKey');
  const subtle = await nativeSubtle();
  if (!subtle) return nobleSharedSecret(secretKey, publicKey);
  const secret = ecdhSecretKey(subtle, secretKey);
  const peer = ecdhPublicKey(subtle, publicKey, cachePublicKey);
  const [peerKey, secretWebKey] = await Promise.all([peer.key, secret.key]);
  return deriveBits(subtle, peerKey, secretWebKey);
}

/** A single-shot seal set up before its plaintext exists ({@link setupSealAsync}). */
export interface Sealer {
  /**
   * `enc ‖ ciphertext ‖ tag` of `plaintext`, synchronously. Once only: a second call throws
   * RangeError (single-shot HPKE never seals two messages under one ephemeral key).
   */
  seal(plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
}

function sealerOf(enc: Uint8Array, context: HpkeContext): Sealer {
  let used = false;
  return {
    seal(plaintext, aad = EMPTY) {
      assertBytes(plaintext, 'plaintext');
      assertBytes(aad, 'aad');
      if (used) throw new RangeError('seal: this sealer was used already');
      used = true;
      return concatBytes(enc, context.seal(plaintext, aad));
    },
  };
}

/**
 * RFC 9180 §5.1.1 SetupBaseS with WebCrypto's ECDH and a fresh WebCrypto ephemeral key (noble
 * and a fresh noble key without WebCrypto P-256), before the plaintext exists: its one `seal` is
 * then synchronous, for a caller that seals inside an IndexedDB transaction. The same bytes as
 * {@link sealAsync}, opened by `open` and `openAsync`.
 * @throws CRYPTO_INVALID_PUBLIC_KEY when the recipient key is not a valid point.
 */
export async function setupSealAsync(
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
): Promise<Sealer> {
  assertBytes(recipientPublicKey, 'recipientPublicKey', 33, 65);
  assertBytes(info, 'info');
  const subtle = await nativeSubtle();
  if (!subtle) {
    const setup = setupBaseSWith(AEAD.AES_256_GCM, recipientPublicKey, info, generateSecretKey());
    return sealerOf(setup.enc, setup.context);
  }
  const recipient = ecdhPublicKey(subtle, recipientPublicKey, true);
  const [ephemeral, recipientKey] = await Promise.all([
    subtle.generateKey(ECDH, true, ['deriveBits']),
    recipient.key,
  ]);
  const [dh, encBuffer] = await Promise.all([
    deriveBits(subtle, recipientKey, ephemeral.privateKey),
    subtle.exportKey('raw', ephemeral.publicKey),
  ]);
  const enc = new Uint8Array(encBuffer);
  const shared = extractAndExpand(dh, concatBytes(enc, recipient.uncompressed));
  return sealerOf(
    enc,
    new HpkeContext(AEAD.AES_256_GCM, keySchedule(AEAD.AES_256_GCM, shared, info)),
  );
}

/**
 * `seal` with WebCrypto's ECDH and a fresh WebCrypto ephemeral key: the same RFC 9180 base-mode
 * single-shot output (`enc ‖ ciphertext ‖ tag`), opened by `open` and by `openAsync`.
 * @throws CRYPTO_INVALID_PUBLIC_KEY when the recipient key is not a valid point.
 */
export async function sealAsync(
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array = EMPTY,
): Promise<Uint8Array> {
  assertBytes(recipientPublicKey, 'recipientPublicKey', 33, 65);
  assertBytes(info, 'info');
  assertBytes(plaintext, 'plaintext');
  assertBytes(aad, 'aad');
  const subtle = await nativeSubtle();
  if (!subtle) return nobleSeal(recipientPublicKey, info, plaintext, aad);
  return (await setupSealAsync(recipientPublicKey, info)).seal(plaintext, aad);
}

/**
 * `open` with WebCrypto's ECDH. @throws CRYPTO_HPKE_OPEN_FAILED for anything that does not
 * authenticate, as `open` does.
 */
export async function openAsync(
  recipientSecretKey: Uint8Array,
  info: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array = EMPTY,
): Promise<Uint8Array> {
  assertBytes(recipientSecretKey, 'recipientSecretKey', 32);
  assertBytes(info, 'info');
  assertBytes(sealed, 'sealed');
  assertBytes(aad, 'aad');
  const subtle = await nativeSubtle();
  if (!subtle) return nobleOpen(recipientSecretKey, info, sealed, aad);
  if (sealed.length < ENC_LENGTH + 16) {
    throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', 'sealed bytes are too short');
  }
  const enc = sealed.subarray(0, ENC_LENGTH);
  let dh: Uint8Array;
  try {
    dh = await sharedSecretAsync(recipientSecretKey, enc);
  } catch (e) {
    if (isCryptoError(e, 'CRYPTO_INVALID_PUBLIC_KEY')) {
      throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', 'enc is not a valid P-256 point');
    }
    throw e;
  }
  const recipient = ecdhSecretKey(subtle, recipientSecretKey);
  const shared = extractAndExpand(dh, concatBytes(enc, recipient.publicKey));
  const context = new HpkeContext(AEAD.AES_256_GCM, keySchedule(AEAD.AES_256_GCM, shared, info));
  return context.open(sealed.subarray(ENC_LENGTH), aad);
}

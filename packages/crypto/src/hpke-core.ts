/**
 * HPKE (RFC 9180) base mode with DHKEM(P-256, HKDF-SHA256) and HKDF-SHA256, for AES-128-GCM or
 * AES-256-GCM. Internal: the public API is `hpke.ts` (random ephemeral keys only); the vector
 * tools reach the deterministic encapsulation through `hpke-deterministic.ts`.
 */
import { aesGcmDecrypt, aesGcmEncrypt } from './aead.js';
import { assertBytes, concatBytes, i2osp, utf8 } from './bytes.js';
import { CryptoError, isCryptoError } from './errors.js';
import { hkdfExpand, hkdfExtract } from './hkdf.js';
import { p256 } from './p256.js';
import { sharedSecret } from './ecdh.js';

/** RFC 9180 §7.1: DHKEM(P-256, HKDF-SHA256). */
export const KEM_ID = 0x0010;
/** RFC 9180 §7.2: HKDF-SHA256. */
export const KDF_ID = 0x0001;
/** RFC 9180 §7.3 AEAD ids. */
export const AEAD = {
  AES_128_GCM: { id: 0x0001, nk: 16 },
  AES_256_GCM: { id: 0x0002, nk: 32 },
} as const;
export type AeadSuite = (typeof AEAD)[keyof typeof AEAD];

/** Length of `enc` for DHKEM(P-256): an uncompressed SEC1 point (RFC 9180 §7.1, Nenc). */
export const ENC_LENGTH = 65;
const N_SECRET = 32;
const N_SK = 32;
const N_NONCE = 12;
const N_HASH = 32;
const MODE_BASE = 0x00;
const HPKE_V1 = utf8('HPKE-v1');
const EMPTY = new Uint8Array(0);

const KEM_SUITE_ID = concatBytes(utf8('KEM'), i2osp(KEM_ID, 2));

/** The labels' bytes, encoded once (every open and seal uses the same few). */
const labels = new Map<string, Uint8Array>();
function labelBytes(label: string): Uint8Array {
  let bytes = labels.get(label);
  if (!bytes) labels.set(label, (bytes = utf8(label)));
  return bytes;
}

function makeSuiteId(aead: AeadSuite): Uint8Array {
  return concatBytes(utf8('HPKE'), i2osp(KEM_ID, 2), i2osp(KDF_ID, 2), i2osp(aead.id, 2));
}

/**
 * What the key schedule derives from the suite alone, once per AEAD: the suite id and, in base
 * mode (empty psk_id), psk_id_hash (RFC 9180 §5.1).
 */
const suites = new Map<number, { suiteId: Uint8Array; pskIdHash: Uint8Array }>();
function suiteOf(aead: AeadSuite) {
  let suite = suites.get(aead.id);
  if (!suite) {
    const suiteId = makeSuiteId(aead);
    suite = { suiteId, pskIdHash: labeledExtract(suiteId, EMPTY, 'psk_id_hash', EMPTY) };
    suites.set(aead.id, suite);
  }
  return suite;
}

const hpkeSuiteId = (aead: AeadSuite): Uint8Array => suiteOf(aead).suiteId;

/** info_hash of the last few infos up to 256 bytes (a till opens every payment under one info). */
const INFO_HASHES = 8;
const infoHashes = new Map<string, Uint8Array>();
function infoHashOf(aead: AeadSuite, info: Uint8Array): Uint8Array {
  const derive = () => labeledExtract(suiteOf(aead).suiteId, EMPTY, 'info_hash', info);
  if (info.length > 256) return derive();
  const id = `${aead.id}:${String.fromCharCode(...info)}`;
  let hash = infoHashes.get(id);
  if (!hash) {
    hash = derive();
    if (infoHashes.size >= INFO_HASHES) infoHashes.delete(infoHashes.keys().next().value!);
    infoHashes.set(id, hash);
  }
  return hash;
}

// RFC 9180 §4: LabeledExtract and LabeledExpand.
function labeledExtract(suiteId: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) {
  return hkdfExtract(concatBytes(HPKE_V1, suiteId, labelBytes(label), ikm), salt);
}

function labeledExpand(
  suiteId: Uint8Array,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
) {
  return hkdfExpand(
    prk,
    concatBytes(i2osp(length, 2), HPKE_V1, suiteId, labelBytes(label), info),
    length,
  );
}

/**
 * RFC 9180 §7.1.3 DeriveKeyPair for P-256 (bitmask 0xff): a deterministic key pair from `ikm`.
 * Returns the 32-byte secret key and the 65-byte uncompressed public key.
 * @throws CRYPTO_DERIVE_KEY_PAIR_FAILED after 256 rejected candidates (probability ~2^-8192).
 */
export function deriveKeyPair(ikm: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  assertBytes(ikm, 'ikm');
  if (ikm.length < N_SK) throw new RangeError('ikm must be at least 32 bytes');
  const dkpPrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'dkp_prk', ikm);
  for (let counter = 0; counter < 256; counter++) {
    const candidate = labeledExpand(KEM_SUITE_ID, dkpPrk, 'candidate', i2osp(counter, 1), N_SK);
    if (p256.utils.isValidSecretKey(candidate)) {
      return { secretKey: candidate, publicKey: p256.getPublicKey(candidate, false) };
    }
  }
  throw new CryptoError('CRYPTO_DERIVE_KEY_PAIR_FAILED', 'DeriveKeyPair found no valid key');
}

/** The recipient key as a validated 65-byte uncompressed point (RFC 9180 §7.1.1 SerializePublicKey). */
function serializePublicKey(publicKey: Uint8Array): Uint8Array {
  try {
    return p256.Point.fromBytes(publicKey).toBytes(false);
  } catch {
    throw new CryptoError('CRYPTO_INVALID_PUBLIC_KEY', 'public key is not a valid P-256 point');
  }
}

// RFC 9180 §4.1 ExtractAndExpand.
export function extractAndExpand(dh: Uint8Array, kemContext: Uint8Array): Uint8Array {
  const eaePrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dh);
  return labeledExpand(KEM_SUITE_ID, eaePrk, 'shared_secret', kemContext, N_SECRET);
}

/** RFC 9180 §4.1 Encap with a given ephemeral secret key. */
export function encapWith(
  recipientPublicKey: Uint8Array,
  ephemeralSecretKey: Uint8Array,
): { sharedSecret: Uint8Array; enc: Uint8Array } {
  const pkRm = serializePublicKey(recipientPublicKey);
  const dh = sharedSecret(ephemeralSecretKey, pkRm);
  const enc = p256.getPublicKey(ephemeralSecretKey, false);
  return { sharedSecret: extractAndExpand(dh, concatBytes(enc, pkRm)), enc };
}

/** RFC 9180 §4.1 Decap. @throws CRYPTO_HPKE_OPEN_FAILED for an `enc` that is not a valid point. */
export function decap(enc: Uint8Array, recipientSecretKey: Uint8Array): Uint8Array {
  if (enc.length !== ENC_LENGTH)
    throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', 'enc must be 65 bytes');
  let dh: Uint8Array;
  try {
    dh = sharedSecret(recipientSecretKey, enc);
  } catch (e) {
    if (isCryptoError(e, 'CRYPTO_INVALID_PUBLIC_KEY')) {
      throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', 'enc is not a valid P-256 point');
    }
    throw e;
  }
  const pkRm = p256.getPublicKey(recipientSecretKey, false);
  return extractAndExpand(dh, concatBytes(enc, pkRm));
}

/** The outputs of the key schedule (RFC 9180 §5.1), exposed for test vectors. */
export interface KeySchedule {
  keyScheduleContext: Uint8Array;
  secret: Uint8Array;
  key: Uint8Array;
  baseNonce: Uint8Array;
  exporterSecret: Uint8Array;
}

/**
 * RFC 9180 §5.1 KeySchedule in base mode (no PSK). Only `secret`, `key` and `base_nonce` are
 * per-message work: psk_id_hash and info_hash are the suite's and the info's (kept), and the
 * exporter secret, which opening and sealing never use, is derived when first read.
 */
export function keySchedule(aead: AeadSuite, shared: Uint8Array, info: Uint8Array): KeySchedule {
  const { suiteId, pskIdHash } = suiteOf(aead);
  const infoHash = infoHashOf(aead, info);
  const keyScheduleContext = concatBytes(Uint8Array.of(MODE_BASE), pskIdHash, infoHash);
  const secret = labeledExtract(suiteId, shared, 'secret', EMPTY);
  let exporterSecret: Uint8Array | undefined;
  return {
    keyScheduleContext,
    secret,
    key: labeledExpand(suiteId, secret, 'key', keyScheduleContext, aead.nk),
    baseNonce: labeledExpand(suiteId, secret, 'base_nonce', keyScheduleContext, N_NONCE),
    get exporterSecret() {
      exporterSecret ??= labeledExpand(suiteId, secret, 'exp', keyScheduleContext, N_HASH);
      return exporterSecret;
    },
  };
}

/** An HPKE context (RFC 9180 §5.2): sequence-numbered AEAD under one key schedule. */
export class HpkeContext {
  private seq = 0;

  constructor(
    private readonly aead: AeadSuite,
    readonly schedule: KeySchedule,
  ) {}

  // RFC 9180 §5.2 ComputeNonce: base_nonce XOR I2OSP(seq, Nn).
  private nonce(): Uint8Array {
    const seqBytes = i2osp(this.seq, N_NONCE);
    return this.schedule.baseNonce.map((b, i) => b ^ seqBytes[i]!);
  }

  private next(): void {
    if (this.seq >= Number.MAX_SAFE_INTEGER) throw new RangeError('message limit reached');
    this.seq += 1;
  }

  /** Seals the next message; the sequence number then advances. */
  seal(plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    const ct = aesGcmEncrypt(this.schedule.key, this.nonce(), plaintext, aad);
    this.next();
    return ct;
  }

  /** Opens the next message. @throws CRYPTO_HPKE_OPEN_FAILED when it does not authenticate. */
  open(ciphertext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    let pt: Uint8Array;
    try {
      pt = aesGcmDecrypt(this.schedule.key, this.nonce(), ciphertext, aad);
    } catch (e) {
      if (isCryptoError(e, 'CRYPTO_AEAD_AUTH_FAILED')) {
        throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', 'HPKE ciphertext does not authenticate');
      }
      throw e;
    }
    this.next();
    return pt;
  }

  /** RFC 9180 §5.3 secret export. */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    return labeledExpand(
      hpkeSuiteId(this.aead),
      this.schedule.exporterSecret,
      'sec',
      exporterContext,
      length,
    );
  }
}

/** RFC 9180 §5.1.1 SetupBaseS with a given ephemeral secret key. */
export function setupBaseSWith(
  aead: AeadSuite,
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  ephemeralSecretKey: Uint8Array,
): { enc: Uint8Array; context: HpkeContext; sharedSecret: Uint8Array } {
  const { sharedSecret: shared, enc } = encapWith(recipientPublicKey, ephemeralSecretKey);
  return {
    enc,
    sharedSecret: shared,
    context: new HpkeContext(aead, keySchedule(aead, shared, info)),
  };
}

/** RFC 9180 §5.1.1 SetupBaseR. */
export function setupBaseR(
  aead: AeadSuite,
  enc: Uint8Array,
  recipientSecretKey: Uint8Array,
  info: Uint8Array,
): { context: HpkeContext; sharedSecret: Uint8Array } {
  const shared = decap(enc, recipientSecretKey);
  return { sharedSecret: shared, context: new HpkeContext(aead, keySchedule(aead, shared, info)) };
}

/** Single-shot seal (RFC 9180 §6.1) with a given ephemeral key: `enc ‖ ciphertext`. */
export function sealWith(
  aead: AeadSuite,
  recipientPublicKey: Uint8Array,
  info: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  ephemeralSecretKey: Uint8Array,
): Uint8Array {
  const { enc, context } = setupBaseSWith(aead, recipientPublicKey, info, ephemeralSecretKey);
  return concatBytes(enc, context.seal(plaintext, aad));
}

/** Single-shot open (RFC 9180 §6.1) of `enc ‖ ciphertext`. @throws CRYPTO_HPKE_OPEN_FAILED */
export function openWith(
  aead: AeadSuite,
  recipientSecretKey: Uint8Array,
  info: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (sealed.length < ENC_LENGTH + 16) {
    throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', 'sealed bytes are too short');
  }
  const { context } = setupBaseR(aead, sealed.subarray(0, ENC_LENGTH), recipientSecretKey, info);
  return context.open(sealed.subarray(ENC_LENGTH), aad);
}

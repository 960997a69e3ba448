/**
 * The bank's two secret-key operations on `node:crypto` (OpenSSL) instead of pure JS (noble):
 * HPKE open (RFC 9180 base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM — the suite
 * of DESIGN.md §4 "Sealing") and ECDSA P-256 signing (P1363, low-S). Byte-compatible with
 * `@offpay/crypto`'s `open` and `sign`: the same plaintexts and refusals for the same sealed bytes,
 * signatures every verifier accepts. Cross-checked against noble and the RFC 9180 vectors in
 * test/modules/keys/keys.native.test.ts.
 *
 * One difference, allowed by docs/protocol.md §2: OpenSSL's ECDSA nonce is random, not RFC 6979,
 * so the bank's signatures are not deterministic. Nothing depends on signature bytes (ids hash the
 * signed bytes, never the signature), and the bank stores every signed result it answers with, so
 * a replay gets the same bytes.
 *
 * Node only: the bank's keyring holds these objects in private fields (keys.service.ts).
 */
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPrivateKey,
  sign as nodeSign,
  type ECDH,
  type KeyObject,
} from 'node:crypto';
import { CryptoError } from '@offpay/crypto';

const KEM_ID = 0x0010;
const KDF_ID = 0x0001;
const AEAD_ID = 0x0002; // AES-256-GCM
const ENC_LENGTH = 65;
const TAG_LENGTH = 16;
const HPKE_V1 = Buffer.from('HPKE-v1');
const KEM_SUITE_ID = Buffer.concat([Buffer.from('KEM'), u16(KEM_ID)]);
const HPKE_SUITE_ID = Buffer.concat([Buffer.from('HPKE'), u16(KEM_ID), u16(KDF_ID), u16(AEAD_ID)]);
const EMPTY = Buffer.alloc(0);
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = P256_N >> 1n;

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** HKDF-Extract (RFC 5869): HMAC-SHA256 keyed by the salt; an empty salt is HashLen zeros. */
function extract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** RFC 9180 §4 LabeledExtract. */
function labeledExtract(suiteId: Buffer, salt: Uint8Array, label: string, ikm: Uint8Array) {
  return extract(salt, Buffer.concat([HPKE_V1, suiteId, Buffer.from(label), ikm]));
}

/** RFC 9180 §4 LabeledExpand for L ≤ 32 (one HMAC block: T(1)). */
function labeledExpand(
  suiteId: Buffer,
  prk: Uint8Array,
  label: string,
  info: Uint8Array,
  length: number,
) {
  const labeled = Buffer.concat([u16(length), HPKE_V1, suiteId, Buffer.from(label), info]);
  const t1 = createHmac('sha256', prk).update(labeled).update(Uint8Array.of(1)).digest();
  return t1.subarray(0, length);
}

// The key schedule's psk_id_hash is the same for every open in base mode.
const PSK_ID_HASH = labeledExtract(HPKE_SUITE_ID, EMPTY, 'psk_id_hash', EMPTY);

/** A KEM secret key ready for HPKE open: the ECDH object and pkRm made once. */
export interface NativeKemKey {
  open(info: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array;
}

/**
 * HPKE-opens with `secretKey` (32 bytes), single-shot (sequence 0), AES-256-GCM.
 * @throws CRYPTO_HPKE_OPEN_FAILED for anything that does not authenticate: too short, `enc` not
 * an uncompressed point on the curve, a changed byte, another key or `info`.
 */
export function nativeKemKey(secretKey: Uint8Array): NativeKemKey {
  const ecdh: ECDH = createECDH('prime256v1');
  ecdh.setPrivateKey(secretKey);
  const pkRm = ecdh.getPublicKey();
  return {
    open(info, sealed, aad = EMPTY) {
      if (sealed.length < ENC_LENGTH + TAG_LENGTH) failOpen('sealed bytes are too short');
      const enc = sealed.subarray(0, ENC_LENGTH);
      // Only the uncompressed SEC1 form, as RFC 9180 serializes `enc` (OpenSSL would also take
      // the hybrid forms 0x06/0x07, which noble refuses).
      if (enc[0] !== 0x04) failOpen('enc is not an uncompressed P-256 point');
      let dh: Buffer;
      try {
        dh = ecdh.computeSecret(enc);
      } catch {
        failOpen('enc is not a valid P-256 point');
      }
      // RFC 9180 §4.1 Decap → ExtractAndExpand.
      const eaePrk = labeledExtract(KEM_SUITE_ID, EMPTY, 'eae_prk', dh);
      const shared = labeledExpand(
        KEM_SUITE_ID,
        eaePrk,
        'shared_secret',
        Buffer.concat([enc, pkRm]),
        32,
      );
      // RFC 9180 §5.1 KeySchedule, base mode.
      const infoHash = labeledExtract(HPKE_SUITE_ID, EMPTY, 'info_hash', info);
      const context = Buffer.concat([Uint8Array.of(0), PSK_ID_HASH, infoHash]);
      const secret = labeledExtract(HPKE_SUITE_ID, shared, 'secret', EMPTY);
      const key = labeledExpand(HPKE_SUITE_ID, secret, 'key', context, 32);
      const nonce = labeledExpand(HPKE_SUITE_ID, secret, 'base_nonce', context, 12);
      const body = sealed.subarray(ENC_LENGTH, sealed.length - TAG_LENGTH);
      const tag = sealed.subarray(sealed.length - TAG_LENGTH);
      try {
        const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
        d.setAuthTag(tag);
        if (aad.length > 0) d.setAAD(aad);
        const pt = Buffer.concat([d.update(body), d.final()]);
        return new Uint8Array(pt.buffer, pt.byteOffset, pt.length);
      } catch {
        return failOpen('HPKE ciphertext does not authenticate');
      }
    },
  };
}

function failOpen(message: string): never {
  throw new CryptoError('CRYPTO_HPKE_OPEN_FAILED', message);
}

/** An ECDSA P-256 signing key held as an OpenSSL KeyObject. */
export interface NativeSignKey {
  /** ECDSA-SHA256 over `message`: 64-byte P1363 `r ‖ s`, low-S (docs/protocol.md §2). */
  sign(message: Uint8Array): Uint8Array;
}

/** @throws CRYPTO_INVALID_SECRET_KEY when `secretKey` is not a P-256 scalar in [1, n−1]. */
export function nativeSignKey(secretKey: Uint8Array): NativeSignKey {
  let key: KeyObject;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(secretKey);
    const pub = ecdh.getPublicKey();
    key = createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        d: Buffer.from(secretKey).toString('base64url'),
        x: pub.subarray(1, 33).toString('base64url'),
        y: pub.subarray(33, 65).toString('base64url'),
      },
      format: 'jwk',
    });
  } catch {
    throw new CryptoError('CRYPTO_INVALID_SECRET_KEY', 'secret key is not in [1, n-1]');
  }
  return {
    sign(message) {
      const sig = nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
      return lowS(new Uint8Array(sig.buffer, sig.byteOffset, sig.length));
    },
  };
}

/** `(r, s)` with `s` replaced by `n − s` when it is in the upper half of the group order. */
export function lowS(signature: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(signature[i]!);
  if (s <= HALF_N) return signature;
  let t = P256_N - s;
  const out = new Uint8Array(signature);
  for (let i = 63; i >= 32; i--) {
    out[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  return out;
}

/**
 * How the bank keeps its own secrets (docs/operations.md "Bank keys"): every secret key is
 * sealed with AES-256-GCM under a key-encryption key derived by HKDF-SHA256 from
 * BANK_KEY_ENCRYPTION_SECRET, with the key's identity as associated data so that a sealed key
 * cannot be moved to another row. Pure: randomness comes in as parameters.
 */
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  concatBytes,
  GCM_NONCE_LENGTH,
  getPublicKey,
  hkdf,
  kid,
  labelBytes,
  utf8,
} from '@offpay/crypto';
import { decodeKeyAnnouncement } from '@offpay/protocol';

/** A bank key's role: ECDSA P-256 signing, or P-256 KEM for HPKE (DESIGN.md §3). */
export type BankKeyKind = 'sign' | 'kem';

const KEK_SALT = utf8('offpay/v1/bank-kek-salt');
const KEK_INFO = utf8('offpay/v1/bank-key-encryption');

/** The 32-byte key-encryption key (RFC 5869 HKDF-SHA256) from the operator's secret. */
export function deriveKeyEncryptionKey(secret: string): Uint8Array {
  if (secret.length < 32)
    throw new RangeError('the key-encryption secret must be at least 32 characters');
  return hkdf(utf8(secret), KEK_SALT, KEK_INFO, 32);
}

/** Associated data binding a sealed secret to what it is: a bank key (kind, kid) or a named secret. */
export function sealedSecretAad(
  what: { kind: BankKeyKind; kid: Uint8Array } | { name: string },
): Uint8Array {
  return 'name' in what
    ? concatBytes(labelBytes('offpay/v1/bank-secret'), utf8(what.name))
    : concatBytes(labelBytes('offpay/v1/bank-key'), utf8(what.kind), what.kid);
}

/** nonce ‖ AES-256-GCM(secret) ‖ tag. `nonce` must be 12 fresh random bytes. */
export function sealSecret(
  kek: Uint8Array,
  aad: Uint8Array,
  secret: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  return concatBytes(nonce, aesGcmEncrypt(kek, nonce, secret, aad));
}

/**
 * Opens {@link sealSecret}'s output.
 * @throws CRYPTO_AEAD_AUTH_FAILED with another key-encryption secret, other `aad` or altered bytes.
 */
export function openSecret(kek: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
  return aesGcmDecrypt(
    kek,
    sealed.subarray(0, GCM_NONCE_LENGTH),
    sealed.subarray(GCM_NONCE_LENGTH),
    aad,
  );
}

/** The public half and key id of a secret key: compressed SEC1 and its 8-byte kid (DESIGN.md §3). */
export function describeSecretKey(secretKey: Uint8Array): {
  publicKey: Uint8Array;
  kid: Uint8Array;
} {
  const publicKey = getPublicKey(secretKey, true);
  return { publicKey, kid: kid(publicKey) };
}

/** True while a KEM key may still open sealed batches: current, or retired less than `acceptSeconds` ago. */
export function kemKeyAccepted(retiredAt: Date | null, now: Date, acceptSeconds: number): boolean {
  return retiredAt === null || now.getTime() - retiredAt.getTime() <= acceptSeconds * 1000;
}

/** The latest key announcement the bank made: its `validFrom` and when it was made (Unix seconds). */
export interface LatestAnnouncement {
  validFrom: number;
  madeAt: number;
}

/**
 * The `validFrom` of the next key announcement (docs/protocol.md §12): the bank time of the
 * rotation, and at least the previous announcement's plus 1, so that several rotations within
 * one second still come in a strict order. A clock behind the time the latest announcement was
 * made is refused: the bank's clock went back, and the announcement would misstate when the keys
 * changed.
 * @throws RangeError naming both times when `nowSeconds` is before `latest.madeAt`
 */
export function nextValidFrom(nowSeconds: number, latest: LatestAnnouncement | null): number {
  if (latest === null) return nowSeconds;
  if (nowSeconds < latest.madeAt) {
    throw new RangeError(
      `refusing to rotate: the bank clock (${new Date(nowSeconds * 1000).toISOString()}) is ` +
        `before the latest key announcement, made at ` +
        `${new Date(latest.madeAt * 1000).toISOString()}; announcements' validFrom must be ` +
        `strictly increasing (docs/protocol.md §12). Fix the clock, then rotate again.`,
    );
  }
  return Math.max(nowSeconds, latest.validFrom + 1);
}

/**
 * The latest of the stored announcements (rows read under the keys' lock). Bytes that are not a
 * protocol announcement are skipped, as a client's walk skips them (docs/protocol.md §12 step 1).
 */
export function latestAnnouncement(
  rows: readonly { announcement: Uint8Array | null; createdAt: Date }[],
): LatestAnnouncement | null {
  let latest: LatestAnnouncement | null = null;
  for (const r of rows) {
    if (!r.announcement) continue;
    let validFrom: number;
    try {
      ({ validFrom } = decodeKeyAnnouncement(r.announcement));
    } catch {
      continue;
    }
    if (latest === null || validFrom > latest.validFrom)
      latest = { validFrom, madeAt: Math.floor(r.createdAt.getTime() / 1000) };
  }
  return latest;
}

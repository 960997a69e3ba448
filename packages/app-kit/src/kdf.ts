/**
 * Passphrase encryption shared by the vault and backups, in WebCrypto: PBKDF2-SHA256 (NIST SP
 * 800-132; 600,000 iterations as OWASP's 2023 guidance for SHA-256) derives a non-extractable
 * AES-256-GCM key; every encryption takes a fresh 96-bit IV (NIST SP 800-38D §8.2.2) and
 * authenticates associated data that names what the bytes are.
 */
import { randomBytes } from '@offpay/crypto';

export const KDF_NAME = 'PBKDF2-SHA256';
/** Iterations for new vaults and backups. Stored with each record, so it can grow later. */
export const DEFAULT_ITERATIONS = 600_000;
/** Bounds on iterations read from a record or file (a hostile file must not hang the app). */
export const MIN_ITERATIONS = 1_000;
export const MAX_ITERATIONS = 10_000_000;
export const SALT_LENGTH = 16;
export const IV_LENGTH = 12;

/** How a key was derived from a passphrase. */
export interface KdfParams {
  name: typeof KDF_NAME;
  iterations: number;
  salt: Uint8Array;
}

/** Ciphertext (with its GCM tag) and the IV it was made with. */
export interface Sealed {
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

/** A copy backed by its own ArrayBuffer, the type WebCrypto takes. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Fresh KDF parameters: a random 16-byte salt and the given iteration count. */
export function newKdfParams(iterations = DEFAULT_ITERATIONS): KdfParams {
  if (
    !Number.isSafeInteger(iterations) ||
    iterations < MIN_ITERATIONS ||
    iterations > MAX_ITERATIONS
  )
    throw new RangeError(`iterations must be ${MIN_ITERATIONS}..${MAX_ITERATIONS}`);
  return { name: KDF_NAME, iterations, salt: randomBytes(SALT_LENGTH) };
}

/**
 * The AES-256-GCM key for `passphrase` under `kdf`: non-extractable, encrypt/decrypt only. The
 * passphrase is NFC-normalized so the same words typed on another device give the same key.
 */
export async function deriveKey(passphrase: string, kdf: KdfParams): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: own(kdf.salt), iterations: kdf.iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Encrypts under a fresh random IV, authenticating `aad`. */
export async function encrypt(
  key: CryptoKey,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Sealed> {
  const iv = randomBytes(IV_LENGTH);
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: own(iv), additionalData: own(aad), tagLength: 128 },
    key,
    own(plaintext),
  );
  return { iv, ciphertext: new Uint8Array(ciphertext) };
}

/** The plaintext, or `undefined` when the GCM tag does not verify (wrong key, changed bytes). */
export async function decrypt(
  key: CryptoKey,
  sealed: Sealed,
  aad: Uint8Array,
): Promise<Uint8Array | undefined> {
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: own(sealed.iv), additionalData: own(aad), tagLength: 128 },
      key,
      own(sealed.ciphertext),
    );
    return new Uint8Array(plaintext);
  } catch {
    return undefined;
  }
}

/**
 * Secret keys at rest: encrypted with AES-256-GCM under a key derived from the passphrase
 * (PBKDF2-SHA256 in WebCrypto, a fresh salt per vault). The derived key is a non-extractable
 * CryptoKey held in memory while unlocked. Nothing secret is ever logged or put in an error.
 *
 * The record, stored under {@link VAULT_KEY}: `{v: 1, kdf: {name, iterations, salt}, iv,
 * ciphertext}`. The plaintext is the deterministic CBOR `[[name, bytes], ...]` sorted by name; the
 * associated data names the format and the database, so a record moved into another app's
 * database does not open.
 */
import { getPublicKey, utf8 } from '@offpay/crypto';
import { decodeCbor, encodeCbor, type CborValue } from '@offpay/protocol';
import { z } from 'zod';
import { AppError } from './errors.js';
import {
  decrypt,
  deriveKey,
  encrypt,
  IV_LENGTH,
  KDF_NAME,
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  newKdfParams,
  SALT_LENGTH,
  type KdfParams,
} from './kdf.js';
import { bytesOf, parseShape, ShapeError } from './parse.js';
import { checkNewPassphrase, MIN_PASSPHRASE_LENGTH, passphraseLength } from './rules.js';
import { VAULT_KEY, type MetaDb } from './storage/db.js';
import type { MetaOp, Stores, WriteOp } from './storage/schema.js';

/** Named secret byte strings, e.g. `{ signKey, kemKey }`. */
export type Secrets = Record<string, Uint8Array>;

/** App writes that go with a vault's record, in the same transaction. */
type AlsoWrite = readonly WriteOp<Stores>[];

export interface Vault {
  /** A copy of the secret `name`. @throws AppError APP_VAULT_LOCKED after lock() */
  secret(name: string): Uint8Array | undefined;
  /**
   * The compressed public key of the secret `name` (one scalar multiplication per secret while
   * unlocked). @throws AppError APP_VAULT_LOCKED
   */
  publicKey(name: string): Uint8Array | undefined;
  /** Encrypts and stores the new set (one transaction, together with `alsoWrite`). */
  replace(secrets: Secrets, alsoWrite?: AlsoWrite): Promise<void>;
  lock(): void;
}

/** Options of {@link createVault}: PBKDF2 iterations (default 600,000; tests use fewer). */
export interface VaultOptions {
  iterations?: number;
}

const FORMAT_VERSION = 1;
/** What a secret's name may be. */
export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
/** Most secrets a vault holds, and most bytes in one. */
export const MAX_SECRETS = 64;
export const MAX_SECRET_BYTES = 4096;
// CBOR framing per secret is well under 80 bytes; the GCM tag adds 16.
const MAX_CIPHERTEXT_BYTES = MAX_SECRETS * (MAX_SECRET_BYTES + 80) + 16;

interface VaultRecord {
  v: typeof FORMAT_VERSION;
  kdf: KdfParams;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

function associatedData(dbName: string): Uint8Array {
  return utf8(`offpay/app-kit/vault/v${FORMAT_VERSION}\u0000${dbName}`);
}

/** Copies of the secrets, checked. @throws TypeError naming the bad entry (an app defect) */
function copySecrets(secrets: Secrets): Map<string, Uint8Array> {
  if (typeof secrets !== 'object' || secrets === null) throw new TypeError('secrets: an object');
  const entries = Object.entries(secrets);
  if (entries.length > MAX_SECRETS) throw new TypeError(`secrets: at most ${MAX_SECRETS}`);
  const out = new Map<string, Uint8Array>();
  for (const [name, value] of entries) {
    if (!SECRET_NAME.test(name))
      throw new TypeError('secrets: names are a letter then up to 63 of [A-Za-z0-9_.-]');
    if (!(value instanceof Uint8Array) || value.length > MAX_SECRET_BYTES) {
      throw new TypeError(`secrets.${name}: a Uint8Array of at most ${MAX_SECRET_BYTES} bytes`);
    }
    out.set(name, value.slice());
  }
  return out;
}

function encodeSecrets(secrets: Map<string, Uint8Array>): Uint8Array {
  // Sorted by UTF-16 code units: one set of secrets, one plaintext.
  const names = [...secrets.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return encodeCbor(names.map((name): CborValue => [name, secrets.get(name)!]));
}

// The plaintext: [[name, bytes], ...], each name once.
const secretList = z
  .array(z.tuple([z.string().regex(SECRET_NAME), bytesOf(0, MAX_SECRET_BYTES)]))
  .max(MAX_SECRETS);

function decodeSecrets(plaintext: Uint8Array): Map<string, Uint8Array> {
  let value: CborValue;
  try {
    value = decodeCbor(plaintext);
  } catch {
    throw new ShapeError('vault plaintext is not CBOR');
  }
  const out = new Map<string, Uint8Array>();
  for (const [i, [name, secret]] of parseShape(secretList, value, 'secrets').entries()) {
    if (out.has(name)) throw new ShapeError(`secrets.${i}: a name given twice`);
    out.set(name, secret);
  }
  return out;
}

/** The stored record (an IndexedDB row is outside input): exactly these fields. */
const vaultRecord = z.strictObject({
  v: z.literal(FORMAT_VERSION),
  kdf: z.strictObject({
    name: z.literal(KDF_NAME),
    iterations: z.number().int().min(MIN_ITERATIONS).max(MAX_ITERATIONS),
    salt: bytesOf(SALT_LENGTH, 64),
  }),
  iv: bytesOf(IV_LENGTH),
  ciphertext: bytesOf(16, MAX_CIPHERTEXT_BYTES),
});

/** The stored record, checked. @throws ShapeError */
function parseRecord(value: unknown): VaultRecord {
  return parseShape(vaultRecord, value, 'vault');
}

async function sealRecord(
  dbName: string,
  key: CryptoKey,
  kdf: KdfParams,
  secrets: Map<string, Uint8Array>,
): Promise<VaultRecord> {
  const plaintext = encodeSecrets(secrets);
  const sealed = await encrypt(key, plaintext, associatedData(dbName));
  plaintext.fill(0);
  return { v: FORMAT_VERSION, kdf, iv: sealed.iv, ciphertext: sealed.ciphertext };
}

class OpenVault implements Vault {
  #key: CryptoKey | undefined;
  #secrets: Map<string, Uint8Array>;
  #publicKeys = new Map<string, Uint8Array>();
  // replace() calls run one after the other, so memory always matches the last record written.
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: MetaDb,
    key: CryptoKey,
    private readonly kdf: KdfParams,
    secrets: Map<string, Uint8Array>,
  ) {
    this.#key = key;
    this.#secrets = secrets;
  }

  #unlocked(): { key: CryptoKey; secrets: Map<string, Uint8Array> } {
    if (!this.#key) throw new AppError('APP_VAULT_LOCKED');
    return { key: this.#key, secrets: this.#secrets };
  }

  secret(name: string): Uint8Array | undefined {
    return this.#unlocked().secrets.get(name)?.slice();
  }

  publicKey(name: string): Uint8Array | undefined {
    const { secrets } = this.#unlocked();
    const secret = secrets.get(name);
    if (!secret) return undefined;
    let key = this.#publicKeys.get(name);
    if (!key) {
      key = getPublicKey(secret);
      this.#publicKeys.set(name, key);
    }
    return key.slice();
  }

  /** Copies of every secret (for backups). @throws AppError APP_VAULT_LOCKED */
  all(): Secrets {
    const out: Secrets = {};
    for (const [name, value] of this.#unlocked().secrets) out[name] = value.slice();
    return out;
  }

  replace(secrets: Secrets, alsoWrite: AlsoWrite = []): Promise<void> {
    const run = async () => {
      const { key } = this.#unlocked();
      const next = copySecrets(secrets);
      if (alsoWrite.some((op) => 'key' in op && op.key === VAULT_KEY))
        throw new TypeError('replace: alsoWrite must not touch the vault record');
      const sealed = await sealRecord(this.db.name, key, this.kdf, next);
      await this.db.write([{ put: 'meta', key: VAULT_KEY, value: sealed }, ...alsoWrite]);
      if (!this.#key) return; // locked meanwhile: keep nothing in memory
      for (const old of this.#secrets.values()) old.fill(0);
      this.#secrets = next;
      this.#publicKeys.clear();
    };
    const result = this.#queue.then(run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  lock(): void {
    for (const value of this.#secrets.values()) value.fill(0);
    this.#secrets = new Map();
    this.#publicKeys.clear();
    this.#key = undefined;
  }
}

/** True when this database holds a vault record (set up before, or restored). */
export async function hasVault(db: MetaDb): Promise<boolean> {
  return (await db.get('meta', VAULT_KEY)) !== undefined;
}

/**
 * A new vault for `secrets`, unlocked, and the write that stores it — for callers that store it
 * together with other writes (restoring a backup).
 * @throws AppError APP_PASSPHRASE_TOO_SHORT
 */
export async function prepareVault(
  db: MetaDb,
  passphrase: string,
  secrets: Secrets,
  options: VaultOptions = {},
): Promise<{ vault: Vault; write: MetaOp }> {
  checkNewPassphrase(passphrase);
  const copies = copySecrets(secrets);
  const kdf = newKdfParams(options.iterations);
  const key = await deriveKey(passphrase, kdf);
  const sealed = await sealRecord(db.name, key, kdf, copies);
  return {
    vault: new OpenVault(db, key, kdf, copies),
    write: { put: 'meta', key: VAULT_KEY, value: sealed },
  };
}

/**
 * First run: encrypts and stores `secrets` (replacing any vault already there) and returns the
 * unlocked vault. @throws AppError APP_PASSPHRASE_TOO_SHORT, APP_STORAGE_FAILED
 */
export async function createVault(
  db: MetaDb,
  passphrase: string,
  secrets: Secrets,
  options: VaultOptions = {},
): Promise<Vault> {
  const { vault, write } = await prepareVault(db, passphrase, secrets, options);
  await db.write([write]);
  return vault;
}

/** @throws AppError APP_VAULT_MISSING, APP_WRONG_PASSPHRASE, APP_VAULT_DAMAGED */
export async function unlockVault(db: MetaDb, passphrase: string): Promise<Vault> {
  const stored = await db.get('meta', VAULT_KEY);
  if (stored === undefined) throw new AppError('APP_VAULT_MISSING');
  let rec: VaultRecord;
  try {
    rec = parseRecord(stored);
  } catch (error) {
    throw damaged(error);
  }
  // A vault is never made with a shorter passphrase: no need to spend the derivation on it.
  if (typeof passphrase !== 'string' || passphraseLength(passphrase) < MIN_PASSPHRASE_LENGTH)
    throw new AppError('APP_WRONG_PASSPHRASE');
  const key = await deriveKey(passphrase, rec.kdf);
  const plaintext = await decrypt(key, rec, associatedData(db.name));
  if (!plaintext) throw new AppError('APP_WRONG_PASSPHRASE');
  try {
    return new OpenVault(db, key, rec.kdf, decodeSecrets(plaintext));
  } catch (error) {
    throw damaged(error);
  } finally {
    plaintext.fill(0);
  }
}

function damaged(error: unknown): unknown {
  return error instanceof ShapeError
    ? new AppError('APP_VAULT_DAMAGED', undefined, { problem: error.message })
    : error;
}

/**
 * Copies of every secret of an unlocked vault, for backups.
 * @throws AppError APP_VAULT_LOCKED; TypeError for a vault not made by this module
 */
export function vaultSecrets(vault: Vault): Secrets {
  if (!(vault instanceof OpenVault))
    throw new TypeError('vault: not made by createVault/unlockVault');
  return vault.all();
}

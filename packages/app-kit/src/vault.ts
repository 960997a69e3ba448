/**
 * Secret keys at rest: encrypted with AES-256-GCM under a key derived from the passphrase
 * (PBKDF2-SHA256 in WebCrypto, a fresh salt per vault). The derived key is a non-extractable
 * CryptoKey held in memory while unlocked. Nothing secret is ever logged or put in an error.
 */
import type { AppDb } from './db.js';

/** Named secret byte strings, e.g. `{ signKey, kemKey }`. */
export type Secrets = Record<string, Uint8Array>;

export const MIN_PASSPHRASE_LENGTH = 8;

export interface Vault {
  /** @throws AppError APP_VAULT_LOCKED after lock() */
  secret(name: string): Uint8Array | undefined;
  /** Encrypts and stores the new set (one transaction, together with `alsoWrite`). */
  replace(secrets: Secrets, alsoWrite?: readonly import('./db.js').WriteOp[]): Promise<void>;
  lock(): void;
}

export function hasVault(db: AppDb): Promise<boolean> {
  void db;
  throw new Error('app-kit: hasVault not implemented yet');
}

/** First run. @throws AppError APP_PASSPHRASE_TOO_SHORT */
export function createVault(db: AppDb, passphrase: string, secrets: Secrets): Promise<Vault> {
  void db;
  void passphrase;
  void secrets;
  throw new Error('app-kit: createVault not implemented yet');
}

/** @throws AppError APP_VAULT_MISSING, APP_WRONG_PASSPHRASE */
export function unlockVault(db: AppDb, passphrase: string): Promise<Vault> {
  void db;
  void passphrase;
  throw new Error('app-kit: unlockVault not implemented yet');
}

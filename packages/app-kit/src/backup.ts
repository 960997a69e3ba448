/**
 * Encrypted backups: the whole database (vault secrets + state + logs) as one JSON file,
 * encrypted under a key derived from the passphrase with a fresh salt.
 */
import type { AppDb, DbSnapshot } from './db.js';
import type { Vault, Secrets } from './vault.js';

export type AppKind = 'sender' | 'receiver';

export interface BackupContents {
  secrets: Secrets;
  db: DbSnapshot;
}

/** The backup file's text. */
export function exportBackup(
  db: AppDb,
  vault: Vault,
  passphrase: string,
  app: AppKind,
): Promise<string> {
  void db;
  void vault;
  void passphrase;
  void app;
  throw new Error('app-kit: exportBackup not implemented yet');
}

/**
 * Restores a backup into `db` (replacing everything) and returns the unlocked vault.
 * `transform` may change what is restored first — the sender drops its payer certificate,
 * chain state and payer key there, so it must enroll again (DESIGN.md §3 "Restore").
 * @throws AppError APP_BACKUP_INVALID, APP_BACKUP_WRONG_APP, APP_WRONG_PASSPHRASE, APP_INPUT_TOO_LARGE
 */
export function importBackup(
  db: AppDb,
  text: string,
  passphrase: string,
  app: AppKind,
  transform?: (contents: BackupContents) => BackupContents,
): Promise<Vault> {
  void db;
  void text;
  void passphrase;
  void app;
  void transform;
  throw new Error('app-kit: importBackup not implemented yet');
}

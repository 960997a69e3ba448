/** First run, once: setting an app up or restoring it never replaces keys made in another tab. */
import { AppError } from './errors.js';
import { withLock } from './lock.js';
import { BANK_URL_KEY } from './rules.js';
import type { MetaDb } from './storage/db.js';
import { hasVault, prepareVault, type Secrets, type Vault, type VaultOptions } from './vault.js';

/**
 * Runs `fn` (setup or restore) holding the lock `lockName`, only while no vault exists: a Setup
 * screen opened before another tab set the app up must never replace its keys.
 * @throws AppError APP_SET_UP_ELSEWHERE
 */
export function whileNotSetUp<T>(db: MetaDb, lockName: string, fn: () => Promise<T>): Promise<T> {
  return withLock(lockName, async () => {
    if (await hasVault(db)) throw new AppError('APP_SET_UP_ELSEWHERE');
    return fn();
  });
}

/**
 * An app's first run: `secrets` (keys just made on the device) stored encrypted under the
 * passphrase in a new vault, with the bank address, in one transaction — only while no vault
 * exists (see {@link whileNotSetUp}). The caller's `secrets` are zeroed once sealed; the
 * unlocked vault holds its own copies. `options.iterations`: tests only.
 * @throws AppError APP_SET_UP_ELSEWHERE, APP_PASSPHRASE_TOO_SHORT, APP_STORAGE_FAILED
 */
export async function setUpApp(
  db: MetaDb,
  lockName: string,
  passphrase: string,
  secrets: Secrets,
  bankUrl: string,
  options: VaultOptions = {},
): Promise<Vault> {
  let prepared: Awaited<ReturnType<typeof prepareVault>>;
  try {
    prepared = await prepareVault(db, passphrase, secrets, options);
  } finally {
    for (const secret of Object.values(secrets)) secret.fill(0);
  }
  const { vault, write } = prepared;
  try {
    const url = { put: 'meta' as const, key: BANK_URL_KEY, value: bankUrl };
    await whileNotSetUp(db, lockName, () => db.write([write, url]));
  } catch (e) {
    vault.lock();
    throw e;
  }
  return vault;
}

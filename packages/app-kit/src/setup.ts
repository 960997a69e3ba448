/** First run, once: setting an app up or restoring it never replaces keys made in another tab. */
import { AppError } from './errors.js';
import { withLock } from './lock.js';
import type { MetaDb } from './storage/db.js';
import { hasVault } from './vault.js';

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

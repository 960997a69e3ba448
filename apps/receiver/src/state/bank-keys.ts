/**
 * The till follows the bank's key rotations (docs/protocol.md §12) whenever it is online: before
 * settling and in the quiet refresh. Batches are then sealed to the KEM key the bank's latest
 * announcement names, and results and certificates signed by a new key verify — a till enrolled
 * before a rotation keeps settling after it.
 */
import { bankKeysOf, followBankKeys, type BankClient } from '@offpay/app-kit';
import type { TillDb } from '../db.js';
import type { Till } from './till.js';

/**
 * Follows the bank's announcements and returns the till with the keys now held (the same object
 * when nothing changed).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE, APP_BANK_KEYS_UNTRUSTED (the keys held are
 *   kept), APP_STORAGE_FAILED
 */
export async function followTillKeys(
  db: TillDb,
  till: Till,
  bank: Pick<BankClient, 'keys'>,
): Promise<Till> {
  const followed = await followBankKeys(db, bank);
  if (!followed?.changed) return till;
  return { ...till, bankKeys: bankKeysOf(followed.signKeys), bankKemKey: followed.kemKey };
}

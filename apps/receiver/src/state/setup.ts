/**
 * First run, unlock, restore and enrollment of the till (DESIGN.md §3 "Enrollment", §6): the
 * keys are made on the device and kept in the vault; enrollment pins the bank's keys and stores
 * the payee certificate after checking it is the bank's and names this till's keys.
 */
import { equalBytes, generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  bankKeySet,
  decodePayeeCertificate,
  signEnrollment,
  verifyCertificate,
  type PayeeCertificate,
} from '@offpay/protocol';
import {
  AppError,
  createVault,
  hasVault,
  importBackup,
  MIN_PASSPHRASE_LENGTH,
  type AppDb,
  type BankClient,
  type Vault,
} from '@offpay/app-kit';
import { withTillLock } from './lock.js';
import { isBankUrl, KEY, SECRET } from './store.js';

/**
 * Setup or restore submitted on a page opened before another tab set the till up: going on would
 * replace that till's keys (and, for a restore, its ledger).
 */
export class TillExistsError extends Error {
  constructor() {
    super('This till was set up in another tab: reload.');
    this.name = 'TillExistsError';
  }
}

/** Runs `fn` holding the till lock, unless a vault exists by then. */
function ifNoTillYet<T>(db: AppDb, fn: () => Promise<T>): Promise<T> {
  return withTillLock(async () => {
    if (await hasVault(db)) throw new TillExistsError();
    return fn();
  });
}

/** The checked setup form, or what to say. */
export type SetupInput = { ok: true } | { ok: false; message: string };

/** Passphrase rules of the setup form, in plain words. */
export function checkNewPassphrase(passphrase: string, repeat: string): SetupInput {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    return {
      ok: false,
      message: `The passphrase is too short: use at least ${MIN_PASSPHRASE_LENGTH} characters.`,
    };
  }
  if (passphrase !== repeat) return { ok: false, message: 'The two passphrases differ.' };
  return { ok: true };
}

/** A checked bank address (http or https URL, as it may be stored), or undefined. */
export function normalizeBankUrl(text: string): string | undefined {
  try {
    const url = new URL(text.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    const href = url.href.replace(/\/+$/, '');
    return isBankUrl(href) ? href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the till's two keys on the device and locks them in a new vault, with the bank address.
 * Checks under the till lock that no till was set up meanwhile (another tab).
 * @throws TillExistsError; AppError APP_PASSPHRASE_TOO_SHORT, APP_STORAGE_FAILED
 */
export function createTill(db: AppDb, passphrase: string, bankUrl: string): Promise<Vault> {
  return ifNoTillYet(db, async () => {
    const vault = await createVault(db, passphrase, {
      [SECRET.sign]: generateSecretKey(),
      [SECRET.kem]: generateSecretKey(),
    });
    await db.write([{ put: KEY.bankUrl, value: bankUrl }]);
    return vault;
  });
}

/**
 * Restores a backup: payee keys, ledger, heads and settings come back as they were (a payee may
 * be restored; its head is held by the bank, DESIGN.md §3 "Restore"). Holds the till lock and
 * refuses when a till was set up meanwhile (another tab).
 * @throws TillExistsError; AppError APP_BACKUP_INVALID, APP_BACKUP_WRONG_APP,
 *   APP_WRONG_PASSPHRASE, APP_INPUT_TOO_LARGE
 */
export function restoreTill(db: AppDb, text: string, passphrase: string): Promise<Vault> {
  return ifNoTillYet(db, () => importBackup(db, text, passphrase, 'receiver'));
}

/**
 * Enrolls with the bank: pins its keys, logs in, proves possession of the till's keys on a fresh
 * challenge, and stores the checked payee certificate with the pinned keys in one write.
 * Returns the certificate and the access token (kept in memory by the caller, never stored).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE, APP_VAULT_LOCKED; BankError (login refused …)
 */
export async function enrollTill(
  db: AppDb,
  vault: Vault,
  bank: BankClient,
  email: string,
  password: string,
): Promise<{ cert: PayeeCertificate; token: string }> {
  const signSecret = vault.secret(SECRET.sign);
  const kemSecret = vault.secret(SECRET.kem);
  if (!signSecret || !kemSecret) throw new AppError('APP_VAULT_MISSING');
  const keys = await bank.keys();
  const token = await bank.login(email, password);
  const { challengeId, challenge } = await bank.challenge(token);
  const signKey = getPublicKey(signSecret);
  const kemKey = getPublicKey(kemSecret);
  const signature = signEnrollment({ kind: 'payee', challenge, signKey, kemKey }, signSecret);
  const enrolled = await bank.enrollPayee(token, { challengeId, signKey, kemKey, signature });
  let cert: PayeeCertificate;
  try {
    cert = decodePayeeCertificate(enrolled.certificate);
    verifyCertificate(cert, bankKeySet(keys.signKeys));
  } catch {
    throw new AppError('APP_BANK_RESPONSE');
  }
  if (!equalBytes(cert.signKey, signKey) || !equalBytes(cert.kemKey, kemKey)) {
    throw new AppError('APP_BANK_RESPONSE');
  }
  await db.write([
    { put: KEY.bankKeys, value: { signKeys: keys.signKeys, kemKey: keys.kemKey } },
    { put: KEY.certificate, value: enrolled.certificate },
  ]);
  return { cert, token };
}

/**
 * The till itself (DESIGN.md §3 "Enrollment", §6): its keys made on the device and kept in the
 * vault, setup and restore, enrollment with the bank, and the enrolled till every operation
 * starts from — its certificate verified under the pinned keys and matching its keys.
 */
import { equalBytes, generateSecretKey, kid, toHex } from '@offpay/crypto';
import {
  decodePayeeCertificate,
  emptyLedgerHead,
  LEN,
  type BankKeys,
  type LedgerHead,
  type PayeeCertificate,
} from '@offpay/protocol';
import {
  AppError,
  bankKeysOf,
  bytes,
  certify,
  count,
  importBackup,
  issuedCertificate,
  pinnedKeys,
  setUpApp,
  startEnrollment,
  TRUST_KEYS,
  revocationsOf,
  verifiedCertificate,
  whileNotSetUp,
  withLock,
  type BankClient,
  type Vault,
  type VaultOptions,
} from '@offpay/app-kit';
import { META, SECRET, type TillDb, type TillReads } from '../db.js';

const TILL_LOCK = 'offpay-till-ledger';

/**
 * One at a time for what reads and writes the ledger's state in separate steps: settlement, a
 * ledger takeover (and an accept while one is under way), setup and restore. An accept and a new
 * request need no lock: each is one IndexedDB transaction, which the browser runs one after another
 * (two tabs accepting at once never both write entry N — accept.ts). Not re-entrant.
 */
export const withTillLock = <T>(fn: () => Promise<T>): Promise<T> => withLock(TILL_LOCK, fn);

/** An enrolled till, consistent with its secret keys: what every till operation needs. */
export interface Till {
  cert: PayeeCertificate;
  /** kid of the payee signing key: what payments must name. */
  kid: Uint8Array;
  kidHex: string;
  bankKeys: BankKeys;
  bankKemKey: Uint8Array;
  signSecret: Uint8Array;
  kemSecret: Uint8Array;
}

/**
 * Makes the till's two keys on the device and locks them in a new vault, with the bank address.
 * @throws AppError APP_SET_UP_ELSEWHERE, APP_PASSPHRASE_TOO_SHORT, APP_STORAGE_FAILED
 */
export function createTill(
  db: TillDb,
  passphrase: string,
  bankUrl: string,
  options: VaultOptions = {},
): Promise<Vault> {
  const secrets = { [SECRET.sign]: generateSecretKey(), [SECRET.kem]: generateSecretKey() };
  return setUpApp(db, TILL_LOCK, passphrase, secrets, bankUrl, options);
}

/**
 * Restores a backup: keys, ledger, heads and settings come back as they were (a payee may be
 * restored; its head is held by the bank, DESIGN.md §3 "Restore").
 * @throws AppError APP_SET_UP_ELSEWHERE, APP_BACKUP_INVALID, APP_BACKUP_WRONG_APP,
 *   APP_WRONG_PASSPHRASE, APP_INPUT_TOO_LARGE
 */
export function restoreTill(db: TillDb, text: string, passphrase: string): Promise<Vault> {
  return whileNotSetUp(db, TILL_LOCK, () => importBackup(db, text, passphrase, 'receiver'));
}

/**
 * Enrolls with the bank: pins its keys, logs in, proves possession of both keys on a fresh
 * challenge, and stores the checked payee certificate with the pinned keys in one write.
 * Returns the access token (kept in memory by the caller, never stored).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE, APP_VAULT_MISSING; BankRefusal (login
 *   refused…); PROTO_* for a certificate that does not verify under the bank's keys
 */
export async function enrollTill(
  db: TillDb,
  vault: Vault,
  bank: BankClient,
  login: { email: string; password: string },
): Promise<string> {
  const [secretKey, kemSecret] = [vault.secret(SECRET.sign), vault.secret(SECRET.kem)];
  if (!secretKey || !kemSecret) throw new AppError('APP_VAULT_MISSING');
  const mine = { signKey: vault.publicKey(SECRET.sign)!, kemKey: vault.publicKey(SECRET.kem)! };
  const { keys, pin, token } = await startEnrollment(bank, login, db);
  const kemKey = mine.kemKey;
  const { certificate } = await certify(bank, token, { kind: 'payee', secretKey, kemKey });
  issuedCertificate(certificate, keys.signKeys, decodePayeeCertificate, mine);
  await db.write([...pin, { put: 'meta', key: META.certificate, value: certificate }]);
  return token;
}

/**
 * The enrolled till: the certificate verified under the pinned keys and the vault's keys checked
 * against it. Undefined when the till has not enrolled (or the rows do not agree).
 */
export async function loadTill(db: TillDb, vault: Vault): Promise<Till | undefined> {
  const [pinned, stored] = await Promise.all([pinnedKeys(db), db.get('meta', META.certificate)]);
  const [signSecret, kemSecret] = [vault.secret(SECRET.sign), vault.secret(SECRET.kem)];
  if (!pinned || !bytes(1, 1024)(stored) || !signSecret || !kemSecret) return undefined;
  const bankKeys = bankKeysOf(pinned.signKeys);
  let cert: PayeeCertificate;
  try {
    cert = verifiedCertificate(stored, bankKeys, decodePayeeCertificate);
  } catch {
    return undefined;
  }
  if (!equalBytes(cert.signKey, vault.publicKey(SECRET.sign)!)) return undefined;
  if (!equalBytes(cert.kemKey, vault.publicKey(SECRET.kem)!)) return undefined;
  const payeeKid = kid(cert.signKey);
  const kidHex = toHex(payeeKid);
  return {
    cert,
    kid: payeeKid,
    kidHex,
    bankKeys,
    bankKemKey: pinned.kemKey,
    signSecret,
    kemSecret,
  };
}

/** A stored ledger head (the ledger's or the settled one), or the empty ledger's. */
export async function readHead(
  db: TillReads,
  key: typeof META.ledgerHead | typeof META.settledHead,
  till: Till,
): Promise<LedgerHead> {
  const row = (await db.get('meta', key)) as { nextIndex?: unknown; head?: unknown } | undefined;
  return count(row?.nextIndex) && bytes(LEN.hash)(row.head)
    ? { nextIndex: row.nextIndex, head: row.head }
    : emptyLedgerHead(till.cert.serial);
}

/** Payer serials this till caught cheating. */
export async function localRevoked(db: TillReads): Promise<number[]> {
  const row = await db.get('meta', META.localRevoked);
  return Array.isArray(row) ? row.filter(count).slice(0, 10_000) : [];
}

/** Whether a payer serial is revoked: on the bank's verified list, or caught cheating here. */
export async function revocationCheck(
  db: TillReads,
  till: Till,
): Promise<(serial: number) => boolean> {
  const [localList, row] = await Promise.all([
    localRevoked(db),
    db.get('meta', TRUST_KEYS.revocations),
  ]);
  const local = new Set(localList);
  const bank = revocationsOf(row, till.bankKeys)?.revoked;
  return (serial) => local.has(serial) || (bank?.has(serial) ?? false);
}

/** The limit per customer (one payer certificate) in minor units, or undefined for none. */
export async function payerCap(db: TillReads): Promise<number | undefined> {
  const cap = await db.get('meta', META.payerCap);
  return count(cap) && cap > 0 ? cap : undefined;
}

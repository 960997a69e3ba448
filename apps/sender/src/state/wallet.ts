/**
 * The wallet's life cycle: setup on the device, the restore rule, where it stands (enrolled,
 * restored, expiring) and the enrolled wallet every payment starts from. Enrollment is in
 * enroll.ts, paying in pay.ts, receipts in receipt.ts and the bank sync in sync.ts.
 */
import { equalBytes, generateSecretKey } from '@offpay/crypto';
import {
  decodePayerCertificate,
  Money,
  remainingAllowance,
  type BankKeys,
  type PayerCertificate,
} from '@offpay/protocol';
import {
  allInOrder,
  AppError,
  bankKeysOf,
  importBackup,
  pinnedKeys,
  setUpApp,
  storedRevocations,
  TRUST_KEYS,
  verifiedCertificate,
  whileNotSetUp,
  withLock,
  type BackupContents,
  type BackupOptions,
  type Vault,
  type VaultOptions,
} from '@offpay/app-kit';
import {
  MUST_ENROLL,
  PAYER_KEY,
  type ChainRecord,
  type WalletDb,
  type WalletReads,
} from '../db.js';

/** A certificate that expires within this many seconds is offered for renewal. */
export const RENEW_WITHIN_SECONDS = 24 * 3600;

const WALLET_LOCK = 'offpay-sender-wallet';

/**
 * One at a time for what reads and writes the wallet's state in separate steps: setup, restore,
 * enrollment, receipts and the bank sync. A payment needs no lock: its read of the chain, its
 * signature and its write are one IndexedDB transaction, which the browser runs one after another
 * (two tabs confirming at once never both sign counter N + 1 — pay.ts). Not re-entrant.
 */
export const withWalletLock = <T>(fn: () => Promise<T>): Promise<T> => withLock(WALLET_LOCK, fn);

/**
 * First run: makes the payer key on the device and stores it encrypted under the passphrase,
 * with the bank address, in one transaction (`options.iterations`: tests only).
 * @throws AppError APP_SET_UP_ELSEWHERE, APP_PASSPHRASE_TOO_SHORT, APP_STORAGE_FAILED
 */
export function setupWallet(
  db: WalletDb,
  passphrase: string,
  bankUrl: string,
  options: VaultOptions = {},
): Promise<Vault> {
  return setUpApp(
    db,
    WALLET_LOCK,
    passphrase,
    { [PAYER_KEY]: generateSecretKey() },
    bankUrl,
    options,
  );
}

/**
 * What a restore keeps (DESIGN.md §3 "Restore"): the history, the bank address and the last bank
 * time — never the payer key, certificate or chain, whose counter may have moved on since the
 * backup, nor the keys pinned with them. The restored wallet enrolls again before paying.
 */
export function restoreTransform(contents: BackupContents): BackupContents {
  const dropped = new Set<unknown>([TRUST_KEYS.pinned, TRUST_KEYS.revocations, MUST_ENROLL]);
  const meta = (contents.db.stores['meta'] ?? []).filter(([key]) => !dropped.has(key));
  meta.push([MUST_ENROLL, true]);
  return { secrets: {}, db: { stores: { ...contents.db.stores, meta, chain: [] } } };
}

/**
 * Restores a backup file's text, with the restore rule applied — only while no wallet exists.
 * @throws AppError APP_SET_UP_ELSEWHERE, APP_BACKUP_INVALID, APP_BACKUP_WRONG_APP,
 *   APP_WRONG_PASSPHRASE, APP_INPUT_TOO_LARGE
 */
export function restoreWallet(
  db: WalletDb,
  text: string,
  passphrase: string,
  options: BackupOptions = {},
): Promise<Vault> {
  return whileNotSetUp(db, WALLET_LOCK, () =>
    importBackup(db, text, passphrase, 'sender', restoreTransform, options),
  );
}

/** True when the wallet was restored and has not enrolled again since. */
export async function mustEnroll(db: WalletReads): Promise<boolean> {
  return (await db.get('meta', MUST_ENROLL)) === true;
}

/** The stored certificate, verified under the pinned keys, with its chain; undefined if none. */
export async function storedChain(
  db: WalletReads,
): Promise<{ cert: PayerCertificate; chain: ChainRecord; bankKeys: BankKeys } | undefined> {
  // The records and how many rows there are (a damaged one is left out of the records) in one read.
  const [{ rows: records, stored }, pinned] = await Promise.all([
    db.counted('chain'),
    pinnedKeys(db),
  ]);
  const record = records[0];
  if (stored > 0 && (records.length !== stored || stored > 1)) {
    throw new AppError('APP_WALLET_STATE_CHANGED', 'The stored payment chain is damaged.');
  }
  if (!record || !pinned) return undefined;
  const bankKeys = bankKeysOf(pinned.signKeys);
  const cert = verifiedCertificate(record.certificate, bankKeys, decodePayerCertificate);
  if (cert.serial !== record.serial || record.spent > cert.limit) {
    throw new AppError('APP_WALLET_STATE_CHANGED', 'The stored payment chain is damaged.');
  }
  return { cert, chain: record, bankKeys };
}

/** Where the wallet stands, for routing after unlock. */
export type WalletStatus = 'enrolled' | 'notEnrolled' | 'mustEnroll';

export async function walletStatus(db: WalletDb): Promise<WalletStatus> {
  if (await mustEnroll(db)) return 'mustEnroll';
  return (await storedChain(db)) ? 'enrolled' : 'notEnrolled';
}

/** The enrolled wallet: certificate, chain, pinned keys and secret key, all consistent. */
export interface Enrolled {
  cert: PayerCertificate;
  chain: ChainRecord;
  bankKeys: BankKeys;
  secretKey: Uint8Array;
}

/**
 * The wallet ready to pay.
 * @throws AppError APP_MUST_ENROLL_AGAIN after a restore, APP_NOT_ENROLLED before enrolling,
 *   APP_WALLET_STATE_CHANGED for a damaged chain or a key that does not match the certificate
 *   (another tab renewed: this page holds the old key)
 */
export async function loadEnrolled(db: WalletReads, vault: Vault): Promise<Enrolled> {
  // Both read at once (one round trip inside a transaction); a restored wallet is said first.
  const [restored, stored] = await allInOrder([
    mustEnroll(db),
    storedChain(db).catch((error: unknown) => ({ error })),
  ] as const);
  if (restored) throw new AppError('APP_MUST_ENROLL_AGAIN');
  if (stored && 'error' in stored) throw stored.error;
  const secretKey = vault.secret(PAYER_KEY);
  if (!stored || !secretKey) throw new AppError('APP_NOT_ENROLLED');
  if (!equalBytes(vault.publicKey(PAYER_KEY)!, stored.cert.signKey)) {
    throw new AppError(
      'APP_WALLET_STATE_CHANGED',
      'The stored key does not match the certificate.',
    );
  }
  return { ...stored, secretKey };
}

/** The allowance and standing of the current certificate, for Home and Pay. */
export interface Overview {
  cert: PayerCertificate;
  limit: Money;
  spent: Money;
  remaining: Money;
  expired: boolean;
  revoked: boolean;
  /** Expired, revoked, or expiring within RENEW_WITHIN_SECONDS. */
  renewSuggested: boolean;
}

/** The current certificate's allowance and standing at `now` (Unix seconds). */
export async function overview(db: WalletDb, vault: Vault, now: number): Promise<Overview> {
  const { cert, chain, bankKeys } = await loadEnrolled(db, vault);
  const revoked = (await storedRevocations(db, bankKeys))?.revoked.has(cert.serial) ?? false;
  const expired = now > cert.expiresAt;
  return {
    cert,
    limit: Money.of(cert.limit, cert.currency),
    spent: Money.of(chain.spent, cert.currency),
    remaining: remainingAllowance(cert, chain),
    expired,
    revoked,
    renewSuggested: expired || revoked || cert.expiresAt - now <= RENEW_WITHIN_SECONDS,
  };
}

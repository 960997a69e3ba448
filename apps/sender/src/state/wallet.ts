/**
 * The wallet's life cycle: setup on the device, its standing (enrolled, restored, expiring), the
 * restore rule and the quiet refresh from the bank. Enrollment is in enroll.ts, paying in pay.ts,
 * receipts in receipt.ts and the bank sync in sync.ts.
 */
import { generateSecretKey } from '@offpay/crypto';
import {
  Money,
  remainingAllowance,
  verifyRevocationList,
  type PayerCertificate,
  type RevocationList,
} from '@offpay/protocol';
import {
  AppError,
  exportBackup,
  hasVault,
  importBackup,
  prepareVault,
  rememberBankTime,
  unlockVault,
  type AppDb,
  type BackupContents,
  type BackupOptions,
  type BankClient,
  type Vault,
  type VaultOptions,
} from '@offpay/app-kit';
import { withWalletLock } from './lock.js';
import {
  KEY,
  PAYER_KEY,
  isRevoked,
  loadEnrolled,
  mustEnroll,
  pinnedKeys,
  storedCertificate,
  storedRevocations,
} from './store.js';
import { pinnedBankKeys } from './verified.js';

/** A certificate that expires within this many seconds is offered for renewal. */
export const RENEW_WITHIN_SECONDS = 24 * 3600;

/**
 * The bank address typed by the user, normalised (no trailing slash), or undefined when it is not
 * an http(s) address.
 */
export function normalizeBankUrl(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) return undefined;
  try {
    const url = new URL(trimmed);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password || url.search || url.hash) return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

/** What a stale Setup tab says when a wallet was set up (or restored) meanwhile. */
export const SET_UP_ELSEWHERE = 'This wallet was set up in another tab: reload.';

/**
 * Refuses to set up or restore over a wallet that exists now: a Setup screen opened before
 * another tab set the wallet up must never replace its keys.
 * @throws AppError APP_WALLET_STATE_CHANGED
 */
async function refuseIfSetUp(db: AppDb): Promise<void> {
  if (await hasVault(db)) {
    throw new AppError('APP_WALLET_STATE_CHANGED', SET_UP_ELSEWHERE, { setUpElsewhere: true });
  }
}

/**
 * First run: makes the payer key on the device and stores it encrypted under the passphrase,
 * with the bank address, in one transaction (`options.iterations` lowers the key-derivation cost
 * in tests only).
 * @throws AppError APP_WALLET_STATE_CHANGED when a wallet exists (set up in another tab),
 *   APP_PASSPHRASE_TOO_SHORT, APP_STORAGE_FAILED
 */
export async function setupWallet(
  db: AppDb,
  passphrase: string,
  bankUrl: string,
  options: VaultOptions = {},
): Promise<Vault> {
  await refuseIfSetUp(db);
  const secrets = { [PAYER_KEY]: generateSecretKey() };
  const { vault, write } = await prepareVault(db, passphrase, secrets, options);
  secrets[PAYER_KEY].fill(0);
  try {
    // Checked again holding the wallet lock: the key derivation above gave another tab time.
    await withWalletLock(async () => {
      await refuseIfSetUp(db);
      await db.write([write, { put: KEY.bankUrl, value: bankUrl }]);
    });
  } catch (e) {
    vault.lock();
    throw e;
  }
  return vault;
}

/** State keys a restore drops: everything tied to the old payer certificate and its chain. */
const DROPPED_ON_RESTORE: ReadonlySet<string> = new Set([
  KEY.certificate,
  KEY.chain,
  KEY.bankKeys,
  KEY.revocations,
  KEY.mustEnroll,
]);

/**
 * What a restore keeps (DESIGN.md §3 "Restore"): the history, the bank address and the last bank
 * time — never the payer key, certificate or chain, whose counter may have moved on since the
 * backup. The restored wallet must enroll again (a new key and certificate) before paying.
 */
export function restoreTransform(contents: BackupContents): BackupContents {
  const state = contents.db.state.filter(([key]) => !DROPPED_ON_RESTORE.has(key));
  state.push([KEY.mustEnroll, true]);
  return { secrets: {}, db: { state, logs: contents.db.logs } };
}

/**
 * Restores a backup file's text into `db`, with the restore rule applied — only while no wallet
 * exists there (checked holding the wallet lock).
 * @throws AppError APP_WALLET_STATE_CHANGED when a wallet exists (set up in another tab),
 *   APP_BACKUP_INVALID, APP_BACKUP_WRONG_APP, APP_WRONG_PASSPHRASE, APP_INPUT_TOO_LARGE
 */
export function restoreWallet(
  db: AppDb,
  text: string,
  passphrase: string,
  options: BackupOptions = {},
): Promise<Vault> {
  return withWalletLock(async () => {
    await refuseIfSetUp(db);
    return importBackup(db, text, passphrase, 'sender', restoreTransform, options);
  });
}

/**
 * The backup file's text, encrypted under the wallet's own passphrase: `passphrase` must open
 * the stored wallet first, so a mistyped one never makes a file nobody can restore.
 * @throws AppError APP_WRONG_PASSPHRASE, APP_VAULT_MISSING, APP_INPUT_TOO_LARGE
 */
export async function backupWallet(
  db: AppDb,
  vault: Vault,
  passphrase: string,
  options: BackupOptions = {},
): Promise<string> {
  (await unlockVault(db, passphrase)).lock();
  return exportBackup(db, vault, passphrase, 'sender', options);
}

/** Where the wallet stands, for routing after unlock. */
export type WalletStatus = 'enrolled' | 'notEnrolled' | 'mustEnroll';

/** The wallet's status: restored and not enrolled since, never enrolled, or enrolled. */
export async function walletStatus(db: AppDb): Promise<WalletStatus> {
  if (await mustEnroll(db)) return 'mustEnroll';
  return (await storedCertificate(db)) ? 'enrolled' : 'notEnrolled';
}

/** The allowance and standing of the current certificate, for the Home screen. */
export interface Overview {
  cert: PayerCertificate;
  limit: Money;
  spent: Money;
  remaining: Money;
  /** Payments made under this certificate. */
  counter: number;
  expired: boolean;
  revoked: boolean;
  /** Expired, revoked, or expiring within RENEW_WITHIN_SECONDS. */
  renewSuggested: boolean;
}

/**
 * The current certificate's allowance and standing at `now` (Unix seconds).
 * @throws AppError APP_MUST_ENROLL_AGAIN, APP_NOT_ENROLLED, APP_STORAGE_FAILED
 */
export async function overview(db: AppDb, vault: Vault, now: number): Promise<Overview> {
  const { cert, chain, bankKeys } = await loadEnrolled(db, vault);
  const list = await storedRevocations(db, bankKeys);
  const revoked = isRevoked(list, cert.serial);
  const expired = now > cert.expiresAt;
  return {
    cert,
    limit: Money.of(cert.limit, cert.currency),
    spent: Money.of(chain.spent, cert.currency),
    remaining: remainingAllowance(cert, chain),
    counter: chain.counter,
    expired,
    revoked,
    renewSuggested: expired || revoked || cert.expiresAt - now <= RENEW_WITHIN_SECONDS,
  };
}

/**
 * The quiet refresh whenever online (apps-common "Whenever online"): the bank's revocation list,
 * verified under the pinned keys and kept when newer, and the bank's time. Before enrollment only
 * the time is kept (there are no pinned keys to check the list with).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; BankError; PROTO_* for a list that does not verify
 */
export async function refreshFromBank(
  db: AppDb,
  client: Pick<BankClient, 'revocations'>,
): Promise<RevocationList | undefined> {
  const info = await client.revocations();
  const pinned = await pinnedKeys(db);
  let list: RevocationList | undefined;
  if (pinned) {
    const keys = pinnedBankKeys(pinned.signKeys);
    list = verifyRevocationList(info.signed, keys);
    const held = (await storedRevocations(db, keys))?.list;
    // A list older than the one held is a replay: keep the newer one (DESIGN.md §3).
    if (held && held.seq >= list.seq) list = held;
    else await db.write([{ put: KEY.revocations, value: { seq: list.seq, signed: info.signed } }]);
  }
  await rememberBankTime(db, info.bankTime);
  return list;
}

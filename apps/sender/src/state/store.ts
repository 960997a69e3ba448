/**
 * What the wallet keeps in IndexedDB besides its history, and how each row is read back. A row is
 * untrusted input (another tab, a damaged or edited database): every read checks its shape and
 * bounds, and the certificate is decoded and verified again under the pinned bank keys.
 */
import { equalBytes } from '@offpay/crypto';
import type { BankKeys, PayerCertificate, PayerChainState } from '@offpay/protocol';
import { AppError, type AppDb, type Vault } from '@offpay/app-kit';
import {
  pinnedBankKeys,
  publicKeyOf,
  verifiedCertificate,
  verifiedRevocations,
  type CheckedRevocations,
} from './verified.js';

/** State keys of the sender's database. */
export const KEY = {
  bankUrl: 'bankUrl',
  /** The pinned bank keys, stored with the certificate at enrollment. */
  bankKeys: 'bankKeys',
  /** The payer certificate's wire bytes. */
  certificate: 'certificate',
  /** The payer chain under the current certificate (PayerChainState). */
  chain: 'chain',
  /** The latest verified revocation list ({ seq, signed }). */
  revocations: 'revocations',
  /** True after a restore: the wallet must enroll again before paying (DESIGN.md §3 "Restore"). */
  mustEnroll: 'mustEnroll',
} as const;

/** Name of the payer's signing key in the vault. */
export const PAYER_KEY = 'payerKey';

/** The default bank address (the embedded bank of `pnpm start`). */
export const DEFAULT_BANK_URL = 'http://127.0.0.1:8787';

/** Pinned bank keys as stored: every signing key, and the KEM key of the day. */
export interface PinnedKeys {
  signKeys: Uint8Array[];
  kemKey: Uint8Array;
}

/** The enrolled wallet: certificate, chain, pinned keys and secret key, all consistent. */
export interface Enrolled {
  cert: PayerCertificate;
  chain: PayerChainState;
  bankKeys: BankKeys;
  secretKey: Uint8Array;
}

/**
 * Most bank signing keys the wallet pins: the bound the bank's GET /v1/keys answer is read with
 * (app-kit bank-views.ts), so every key set the wallet accepts from the bank can be stored.
 */
export const MAX_BANK_KEYS = 256;

const isBytes = (v: unknown, min: number, max: number): v is Uint8Array =>
  v instanceof Uint8Array && v.length >= min && v.length <= max;

const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The bank address the user set (or the default). */
export async function bankUrl(db: AppDb): Promise<string> {
  const url = await db.get<unknown>(KEY.bankUrl);
  return typeof url === 'string' && url.length > 0 && url.length <= 2048 ? url : DEFAULT_BANK_URL;
}

/** True when the wallet was restored and has not enrolled again since. */
export async function mustEnroll(db: AppDb): Promise<boolean> {
  return (await db.get<unknown>(KEY.mustEnroll)) === true;
}

/** Pinned keys as the wallet stores them, checked; undefined when `row` is not such a value. */
export function readPinned(row: unknown): PinnedKeys | undefined {
  if (typeof row !== 'object' || row === null) return undefined;
  const { signKeys, kemKey } = row as Record<string, unknown>;
  if (!Array.isArray(signKeys) || signKeys.length < 1 || signKeys.length > MAX_BANK_KEYS) {
    return undefined;
  }
  if (!signKeys.every((k) => isBytes(k, 33, 33)) || !isBytes(kemKey, 33, 33)) return undefined;
  return { signKeys, kemKey };
}

/** The pinned bank keys, or undefined before the first enrollment (or after a restore). */
export async function pinnedKeys(db: AppDb): Promise<PinnedKeys | undefined> {
  return readPinned(await db.get<unknown>(KEY.bankKeys));
}

function readChain(row: unknown, cert: PayerCertificate): PayerChainState {
  const c = (typeof row === 'object' && row !== null ? row : {}) as Record<string, unknown>;
  if (
    c['serial'] !== cert.serial ||
    !isCount(c['counter']) ||
    !isCount(c['spent']) ||
    c['spent'] > cert.limit ||
    !isBytes(c['lastPaymentId'], 32, 32)
  ) {
    throw new AppError('APP_WALLET_STATE_CHANGED', 'The stored payment chain is damaged.');
  }
  return {
    serial: cert.serial,
    counter: c['counter'],
    spent: c['spent'],
    lastPaymentId: c['lastPaymentId'],
  };
}

/**
 * The stored certificate, decoded and verified under the pinned keys (once per page for the same
 * bytes and keys: verified.ts), or undefined when there is none.
 * @throws PROTO_* when it does not decode or verify
 */
export async function storedCertificate(
  db: AppDb,
): Promise<{ cert: PayerCertificate; bankKeys: BankKeys } | undefined> {
  const bytes = await db.get<unknown>(KEY.certificate);
  const pinned = await pinnedKeys(db);
  if (!(bytes instanceof Uint8Array) || !pinned) return undefined;
  const bankKeys = pinnedBankKeys(pinned.signKeys);
  return { cert: verifiedCertificate(bytes, bankKeys), bankKeys };
}

/**
 * The wallet ready to pay: certificate, chain state, pinned keys and the payer's secret key.
 * @throws AppError APP_MUST_ENROLL_AGAIN after a restore, APP_NOT_ENROLLED before enrolling,
 *   APP_WALLET_STATE_CHANGED for a damaged chain row or a key that does not match the certificate
 *   (another tab renewed: this page holds the old key).
 */
export async function loadEnrolled(db: AppDb, vault: Vault): Promise<Enrolled> {
  if (await mustEnroll(db)) throw new AppError('APP_MUST_ENROLL_AGAIN');
  const stored = await storedCertificate(db);
  const secretKey = vault.secret(PAYER_KEY);
  if (!stored || !secretKey) throw new AppError('APP_NOT_ENROLLED');
  if (!equalBytes(publicKeyOf(vault, secretKey), stored.cert.signKey)) {
    throw new AppError(
      'APP_WALLET_STATE_CHANGED',
      'The stored key does not match the certificate.',
    );
  }
  const chain = readChain(await db.get<unknown>(KEY.chain), stored.cert);
  return { ...stored, chain, secretKey };
}

/**
 * The stored revocation list, verified under the pinned keys (once per page for the same seq,
 * bytes and keys: verified.ts), or undefined when there is none or it does not verify.
 */
export async function storedRevocations(
  db: AppDb,
  bankKeys: BankKeys,
): Promise<CheckedRevocations | undefined> {
  const row = await db.get<unknown>(KEY.revocations);
  if (typeof row !== 'object' || row === null) return undefined;
  const { seq, signed } = row as Record<string, unknown>;
  if (!(signed instanceof Uint8Array)) return undefined;
  try {
    return verifiedRevocations(seq, signed, bankKeys);
  } catch {
    return undefined;
  }
}

/** True when `serial` is on the list. */
export function isRevoked(checked: CheckedRevocations | undefined, serial: number): boolean {
  return checked?.revoked.has(serial) ?? false;
}

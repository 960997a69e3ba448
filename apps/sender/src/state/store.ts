/**
 * What the wallet keeps in IndexedDB besides its history, and how each row is read back. A row is
 * untrusted input (another tab, a damaged or edited database): every read checks its shape and
 * bounds, and the certificate is decoded and verified again under the pinned bank keys.
 */
import { equalBytes, getPublicKey, kid } from '@offpay/crypto';
import {
  bankKeySet,
  decodePayerCertificate,
  verifyCertificate,
  verifyRevocationList,
  type BankKeys,
  type PayerCertificate,
  type PayerChainState,
  type RevocationList,
} from '@offpay/protocol';
import { AppError, type AppDb, type Vault } from '@offpay/app-kit';

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

const MAX_BANK_KEYS = 32;

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

/** The pinned bank keys, or undefined before the first enrollment (or after a restore). */
export async function pinnedKeys(db: AppDb): Promise<PinnedKeys | undefined> {
  const row = await db.get<unknown>(KEY.bankKeys);
  if (typeof row !== 'object' || row === null) return undefined;
  const { signKeys, kemKey } = row as Record<string, unknown>;
  if (!Array.isArray(signKeys) || signKeys.length < 1 || signKeys.length > MAX_BANK_KEYS) {
    return undefined;
  }
  if (!signKeys.every((k) => isBytes(k, 33, 33)) || !isBytes(kemKey, 33, 33)) return undefined;
  return { signKeys, kemKey };
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
    throw new AppError('APP_STORAGE_FAILED', 'The stored payment chain is damaged.');
  }
  return {
    serial: cert.serial,
    counter: c['counter'],
    spent: c['spent'],
    lastPaymentId: c['lastPaymentId'],
  };
}

/** The stored certificate, decoded and verified, or undefined when there is none. */
export async function storedCertificate(
  db: AppDb,
): Promise<{ cert: PayerCertificate; bankKeys: BankKeys } | undefined> {
  const bytes = await db.get<unknown>(KEY.certificate);
  const pinned = await pinnedKeys(db);
  if (!(bytes instanceof Uint8Array) || !pinned) return undefined;
  const bankKeys = bankKeySet(pinned.signKeys);
  const cert = decodePayerCertificate(bytes);
  verifyCertificate(cert, bankKeys);
  return { cert, bankKeys };
}

/**
 * The wallet ready to pay: certificate, chain state, pinned keys and the payer's secret key.
 * @throws AppError APP_MUST_ENROLL_AGAIN after a restore, APP_NOT_ENROLLED before enrolling,
 *   APP_STORAGE_FAILED for a damaged chain row or a key that does not match the certificate.
 */
export async function loadEnrolled(db: AppDb, vault: Vault): Promise<Enrolled> {
  if (await mustEnroll(db)) throw new AppError('APP_MUST_ENROLL_AGAIN');
  const stored = await storedCertificate(db);
  const secretKey = vault.secret(PAYER_KEY);
  if (!stored || !secretKey) throw new AppError('APP_NOT_ENROLLED');
  if (!equalBytes(kid(getPublicKey(secretKey)), kid(stored.cert.signKey))) {
    throw new AppError('APP_STORAGE_FAILED', 'The stored key does not match the certificate.');
  }
  const chain = readChain(await db.get<unknown>(KEY.chain), stored.cert);
  return { ...stored, chain, secretKey };
}

/** The stored revocation list, verified again under the pinned keys, or undefined. */
export async function storedRevocations(
  db: AppDb,
  bankKeys: BankKeys,
): Promise<RevocationList | undefined> {
  const row = await db.get<unknown>(KEY.revocations);
  if (typeof row !== 'object' || row === null) return undefined;
  const signed = (row as Record<string, unknown>)['signed'];
  if (!(signed instanceof Uint8Array)) return undefined;
  try {
    return verifyRevocationList(signed, bankKeys);
  } catch {
    return undefined;
  }
}

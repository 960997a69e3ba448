/**
 * What the till keeps in IndexedDB besides its logs, and how each row is read back. A row is
 * untrusted input (another tab, a damaged or edited database): every read checks its shape and
 * bounds, and the certificate is decoded and verified again under the pinned bank keys.
 */
import { equalBytes, getPublicKey, kid, toHex } from '@offpay/crypto';
import {
  bankKeySet,
  decodePayeeCertificate,
  emptyLedgerHead,
  LEN,
  verifyCertificate,
  verifyRevocationList,
  type BankKeys,
  type LedgerHead,
  type PayeeCertificate,
} from '@offpay/protocol';
import type { AppDb, Vault } from '@offpay/app-kit';

/** State keys of the receiver's database. */
export const KEY = {
  bankUrl: 'bankUrl',
  /** The pinned bank keys ({ signKeys, kemKey }), stored with the certificate at enrollment. */
  bankKeys: 'bankKeys',
  /** The payee certificate's wire bytes. */
  certificate: 'certificate',
  /** The head after the last ledger entry ({ nextIndex, head }). */
  ledgerHead: 'ledgerHead',
  /**
   * The version of the ledger's indexes and the head they describe ({ version, nextIndex });
   * the `acc:` and `payer:` rows beside it are those indexes (state/ledger-index.ts).
   */
  ledgerIndex: 'ledgerIndex',
  /** The bank's settled head as this till knows it ({ nextIndex, head }). */
  settledHead: 'settledHead',
  /** The latest verified revocation list ({ seq, signed }). */
  revocations: 'revocations',
  /** Payer serials this till caught cheating (number[]): refused like revoked ones. */
  localRevoked: 'localRevoked',
  /** The per-payer cap in minor units, absent for none. */
  payerCap: 'payerCap',
  /** Exported or sent batches still waiting for the bank's answer (PendingBatch[]). */
  pendingBatches: 'pendingBatches',
  /** The latest request made (a StoredRequest): the only one a payment may answer while open. */
  currentRequest: 'currentRequest',
} as const;

/** Vault names of the till's two secret keys. */
export const SECRET = { sign: 'payeeKey', kem: 'kemKey' } as const;

/** The default bank address (the embedded bank of `pnpm start`). */
export const DEFAULT_BANK_URL = 'http://127.0.0.1:8787';

/** Pinned bank keys as stored: every signing key, and the KEM key batches are sealed to. */
export interface PinnedKeys {
  signKeys: Uint8Array[];
  kemKey: Uint8Array;
}

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

/** The bound app-kit's keysView puts on GET /v1/keys: whatever enrollment pinned reads back. */
const MAX_BANK_KEYS = 256;
const MAX_LOCAL_REVOKED = 10_000;

/** True for a Uint8Array of length within [min, max]. */
export const isBytes = (v: unknown, min: number, max: number = min): v is Uint8Array =>
  v instanceof Uint8Array && v.length >= min && v.length <= max;

/** True for a safe, non-negative integer. */
export const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A row as a plain record, or undefined when it is not an object. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** True for a bank address as it may be stored (and read back). */
export const isBankUrl = (url: unknown): url is string =>
  typeof url === 'string' && /^https?:\/\/\S{1,2040}$/.test(url);

/** The bank address the user set (or the default). */
export async function bankUrl(db: AppDb): Promise<string> {
  const url = await db.get<unknown>(KEY.bankUrl);
  return isBankUrl(url) ? url : DEFAULT_BANK_URL;
}

/** The pinned bank keys, or undefined before enrollment. */
export async function pinnedKeys(db: AppDb): Promise<PinnedKeys | undefined> {
  const row = asRecord(await db.get<unknown>(KEY.bankKeys));
  if (!row) return undefined;
  const { signKeys, kemKey } = row;
  if (!Array.isArray(signKeys) || signKeys.length < 1 || signKeys.length > MAX_BANK_KEYS) {
    return undefined;
  }
  if (!signKeys.every((k) => isBytes(k, LEN.publicKey))) return undefined;
  if (!isBytes(kemKey, LEN.publicKey)) return undefined;
  return { signKeys, kemKey };
}

/**
 * The enrolled till: the certificate decoded and verified under the pinned keys, and the vault's
 * keys checked against it. Undefined when the till has not enrolled (or the rows do not agree).
 */
export async function loadTill(db: AppDb, vault: Vault): Promise<Till | undefined> {
  const keys = await pinnedKeys(db);
  const bytes = await db.get<unknown>(KEY.certificate);
  const signSecret = vault.secret(SECRET.sign);
  const kemSecret = vault.secret(SECRET.kem);
  if (!keys || !isBytes(bytes, 1, 1024) || !signSecret || !kemSecret) return undefined;
  const bankKeys = bankKeySet(keys.signKeys);
  let cert: PayeeCertificate;
  try {
    cert = decodePayeeCertificate(bytes);
    verifyCertificate(cert, bankKeys);
  } catch {
    return undefined;
  }
  if (!equalBytes(cert.signKey, getPublicKey(signSecret))) return undefined;
  if (!equalBytes(cert.kemKey, getPublicKey(kemSecret))) return undefined;
  const payeeKid = kid(cert.signKey);
  return {
    cert,
    kid: payeeKid,
    kidHex: toHex(payeeKid),
    bankKeys,
    bankKemKey: keys.kemKey,
    signSecret,
    kemSecret,
  };
}

/** Reads a stored ledger head, or `fallback` when the row is missing or malformed. */
export async function readHead(
  db: AppDb,
  key: typeof KEY.ledgerHead | typeof KEY.settledHead,
  fallback: LedgerHead,
): Promise<LedgerHead> {
  const row = asRecord(await db.get<unknown>(key));
  if (!row || !isCount(row['nextIndex']) || !isBytes(row['head'], LEN.hash)) return fallback;
  return { nextIndex: row['nextIndex'], head: row['head'] };
}

/** The ledger's head (the empty ledger's before the first payment). */
export function ledgerHead(db: AppDb, till: Till): Promise<LedgerHead> {
  return readHead(db, KEY.ledgerHead, emptyLedgerHead(till.cert.serial));
}

/** The settled head as this till knows it (the empty ledger's before the first settlement). */
export function settledHead(db: AppDb, till: Till): Promise<LedgerHead> {
  return readHead(db, KEY.settledHead, emptyLedgerHead(till.cert.serial));
}

/** The last verified bank list: what it was verified from, and its serials. */
interface RevocationCache {
  bankKeys: BankKeys;
  seq: unknown;
  signed: Uint8Array;
  serials: ReadonlySet<number>;
}

const revocationCache = new WeakMap<AppDb, RevocationCache>();
const NONE: ReadonlySet<number> = new Set();

/**
 * The serials on the stored bank list, verified under the pinned keys. The verified set is kept
 * in memory and used again while the stored row holds the same seq and the same bytes (a byte
 * compare: far cheaper than the signature check and decode each payment would pay otherwise).
 */
async function bankRevoked(db: AppDb, till: Till): Promise<ReadonlySet<number>> {
  const row = asRecord(await db.get<unknown>(KEY.revocations));
  const signed = row?.['signed'];
  if (!row || !isBytes(signed, 1, 2 * 1024 * 1024)) return NONE;
  const cached = revocationCache.get(db);
  if (
    cached &&
    cached.bankKeys === till.bankKeys &&
    cached.seq === row['seq'] &&
    equalBytes(cached.signed, signed)
  ) {
    return cached.serials;
  }
  let serials: ReadonlySet<number>;
  try {
    serials = new Set(verifyRevocationList(signed, till.bankKeys).serials);
  } catch {
    // A damaged stored list counts as none; the next refresh replaces it.
    revocationCache.delete(db);
    return NONE;
  }
  revocationCache.set(db, { bankKeys: till.bankKeys, seq: row['seq'], signed, serials });
  return serials;
}

/**
 * The revoked payer serials this till knows: the stored bank list (verified under the pinned
 * keys) and the payers it caught cheating itself.
 */
export async function revokedSerials(db: AppDb, till: Till): Promise<Set<number>> {
  return new Set([...(await localRevoked(db)), ...(await bankRevoked(db, till))]);
}

/** The same as {@link revokedSerials} as a test, without copying the bank list (the payment path). */
export async function revocationCheck(db: AppDb, till: Till): Promise<(serial: number) => boolean> {
  const local = new Set(await localRevoked(db));
  const bank = await bankRevoked(db, till);
  return (serial) => local.has(serial) || bank.has(serial);
}

/** Sequence number of the stored revocation list, or -1 when none is stored. */
export async function revocationSeq(db: AppDb): Promise<number> {
  const row = asRecord(await db.get<unknown>(KEY.revocations));
  return row && isCount(row['seq']) ? row['seq'] : -1;
}

/** Payer serials this till caught cheating. */
export async function localRevoked(db: AppDb): Promise<number[]> {
  const row = await db.get<unknown>(KEY.localRevoked);
  if (!Array.isArray(row)) return [];
  return row.filter((s): s is number => isCount(s)).slice(0, MAX_LOCAL_REVOKED);
}

/** The per-payer cap in minor units, or undefined for none. */
export async function payerCap(db: AppDb): Promise<number | undefined> {
  const cap = await db.get<unknown>(KEY.payerCap);
  return isCount(cap) && cap > 0 ? cap : undefined;
}

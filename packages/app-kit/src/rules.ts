/**
 * The rules both apps apply to what people type, written once: the bank address and a new
 * passphrase. Each throws a coded AppError, so every form shows the refusal the same way.
 */
import { AppError } from './errors.js';
import type { MetaDb } from './storage/db.js';

/** The default bank address (the embedded bank of `pnpm start`). */
export const DEFAULT_BANK_URL = 'http://127.0.0.1:8787';

/** Longest bank address kept. */
export const MAX_BANK_URL_CHARS = 2048;

/** The meta key of the bank address. */
export const BANK_URL_KEY = 'bankUrl';

/**
 * The bank address as typed, normalised: trimmed, an http(s) URL with no credentials, query or
 * fragment, without trailing slashes ("https://bank.example/" → "https://bank.example").
 * @throws AppError APP_BANK_URL_INVALID
 */
export function normalizeBankUrl(text: string): string {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  let url: URL | undefined;
  try {
    url = trimmed.length > 0 && trimmed.length <= MAX_BANK_URL_CHARS ? new URL(trimmed) : undefined;
  } catch {
    url = undefined;
  }
  if (
    !url ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password ||
    url.search ||
    url.hash
  ) {
    throw new AppError('APP_BANK_URL_INVALID');
  }
  return url.href.replace(/\/+$/, '');
}

/** The bank address stored in the app's database, or the default when none (or a bad row). */
export async function bankUrl(db: MetaDb): Promise<string> {
  const row = await db.get('meta', BANK_URL_KEY);
  if (typeof row !== 'string') return DEFAULT_BANK_URL;
  try {
    return normalizeBankUrl(row) === row ? row : DEFAULT_BANK_URL;
  } catch {
    return DEFAULT_BANK_URL;
  }
}

/** The fewest characters of a new passphrase. */
export const MIN_PASSPHRASE_LENGTH = 8;

/** The passphrase's length in characters (code points, after NFC). */
export function passphraseLength(passphrase: string): number {
  return [...passphrase.normalize('NFC')].length;
}

/**
 * Refuses a passphrase for a new vault or backup: too short, or (given `repeat`, the form's
 * second field) typed differently twice.
 * @throws AppError APP_PASSPHRASE_TOO_SHORT, APP_PASSPHRASE_MISMATCH
 */
export function checkNewPassphrase(passphrase: string, repeat?: string): void {
  if (typeof passphrase !== 'string' || passphraseLength(passphrase) < MIN_PASSPHRASE_LENGTH) {
    throw new AppError('APP_PASSPHRASE_TOO_SHORT');
  }
  if (repeat !== undefined && repeat !== passphrase) throw new AppError('APP_PASSPHRASE_MISMATCH');
}

/** The bank address the Setup screens suggest: VITE_BANK_URL at build time, else the default. */
export const SUGGESTED_BANK_URL: string = import.meta.env.VITE_BANK_URL || DEFAULT_BANK_URL;

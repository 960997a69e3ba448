/**
 * The rules both apps apply to what people type, written once: the bank address and a new
 * passphrase. Each throws a coded AppError, so every form shows the refusal the same way.
 */
import { AppError } from './errors.js';
import type { MetaDb } from './storage/db.js';

/** The bank address when nothing better is known: the embedded bank of `pnpm start`. */
export const DEFAULT_BANK_URL = 'http://127.0.0.1:8787';

/**
 * The bank an app talks to unless its person chose another: the address given at build time
 * (`VITE_BANK_URL`), else the page's own origin — the bank serves the apps (one origin: no CORS,
 * one certificate, docs/operations.md "One origin"), and the Vite dev and preview servers pass the
 * bank's paths on to it — else {@link DEFAULT_BANK_URL} (a page with no web origin, e.g. `file:`).
 */
export function defaultBankUrl(
  origin: string | undefined = globalThis.location?.origin,
  configured: string | undefined = import.meta.env.VITE_BANK_URL,
): string {
  for (const candidate of [configured, origin]) {
    if (!candidate) continue;
    try {
      return normalizeBankUrl(candidate);
    } catch {
      // `null` (an opaque origin) or a bad build setting: try the next.
    }
  }
  return DEFAULT_BANK_URL;
}

/** Longest bank address kept. */
export const MAX_BANK_URL_CHARS = 2048;

/** The meta key of the bank address. */
export const BANK_URL_KEY = 'bankUrl';

/**
 * Hosts a plain `http://` bank may have: this device only (the embedded bank of `pnpm start`,
 * the e2e stack). Anywhere else the bank's answers — keys, time, balances — and the password
 * would cross the network readable and changeable by anyone on the way.
 */
function isThisDevice(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * The bank address as typed, normalised: trimmed, an https URL (http only for this device:
 * localhost, 127.0.0.1, [::1]) with no credentials, query or fragment, without trailing slashes
 * ("https://bank.example/" → "https://bank.example").
 * @throws AppError APP_BANK_URL_INVALID, APP_BANK_URL_INSECURE (http:// to another machine)
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
  if (url.protocol === 'http:' && !isThisDevice(url.hostname)) {
    throw new AppError('APP_BANK_URL_INSECURE');
  }
  return url.href.replace(/\/+$/, '');
}

/** The bank address stored in the app's database, or the default when none (or a bad row). */
export async function bankUrl(db: MetaDb): Promise<string> {
  const row = await db.get('meta', BANK_URL_KEY);
  if (typeof row !== 'string') return defaultBankUrl();
  try {
    return normalizeBankUrl(row) === row ? row : defaultBankUrl();
  } catch {
    return defaultBankUrl();
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

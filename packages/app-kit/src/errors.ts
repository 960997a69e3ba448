/**
 * The apps' own error codes (APP_*), the bank's refusals (codes of @offpay/api's registry), and
 * the matchers the apps use: by code, never by `instanceof` (a second copy of this package, or an
 * error made in another realm, must still match). Every code has plain words in wording.ts and a
 * row in docs/errors.md.
 */
import type { BankCode, ErrorCode } from '@offpay/api';
import { isAppError as hasCode } from '@offpay/protocol';

export const APP_ERRORS = {
  APP_PASSPHRASE_TOO_SHORT: 'The passphrase is shorter than 8 characters.',
  APP_PASSPHRASE_MISMATCH: 'The passphrase and its repetition differ.',
  APP_WRONG_PASSPHRASE: 'The passphrase does not open this wallet or backup.',
  APP_VAULT_MISSING: 'No keys are stored on this device yet: set the app up or restore a backup.',
  APP_VAULT_LOCKED: 'The keys are locked: enter the passphrase first.',
  APP_VAULT_DAMAGED:
    'The keys stored on this device cannot be read (the stored record is damaged): restore a backup.',
  APP_BACKUP_INVALID: 'The file is not an offpay backup, or it is damaged.',
  APP_BACKUP_WRONG_APP: 'The backup belongs to the other app (sender vs receiver).',
  APP_STORAGE_FAILED: "The browser's storage refused to save; nothing was changed.",
  APP_OFFLINE: 'The bank cannot be reached (no network, or the bank is down).',
  APP_BANK_RESPONSE: 'The bank answered with something this app does not understand.',
  APP_BANK_KEYS_UNTRUSTED:
    "The bank's keys changed without an announcement signed by a key this app trusts; the keys it trusts were kept.",
  APP_BANK_URL_INVALID: 'The bank address is not an http(s) address without credentials or query.',
  APP_BANK_URL_INSECURE:
    'The bank address must start with https:// (http:// only for a bank on this device: localhost, 127.0.0.1).',
  APP_CAMERA_UNAVAILABLE: 'The camera cannot be used (no camera, or permission refused).',
  APP_NO_QR_FOUND: 'No offpay QR code was found in the picture.',
  APP_INPUT_TOO_LARGE: 'The file or pasted text is too large to be an offpay message.',
  APP_NOT_ENROLLED: 'This device has no certificate from the bank yet: enroll first (online).',
  APP_MUST_ENROLL_AGAIN:
    'This wallet was restored from a backup: enroll again before paying (a new key and certificate).',
  APP_REQUEST_UNKNOWN: 'The payment does not answer any open request of this till.',
  APP_PAYER_CAP_EXCEEDED: "Accepting this payment would pass this till's cap for one payer.",
  APP_CURRENCY_MISMATCH: 'The request is in another currency than this wallet.',
  APP_REQUEST_ALREADY_PAID: 'The payment answers a request of this till that was already paid.',
  APP_WALLET_STATE_CHANGED:
    'The stored wallet changed under this page (another tab renewed or restored it, or a row is damaged).',
  APP_SET_UP_ELSEWHERE: 'The app was set up or restored in another tab meanwhile: reload.',
} as const;

/** Every APP_* code. */
export type AppErrorCode = keyof typeof APP_ERRORS;

/** An app-level failure with a stable code; `message` is safe to show (never holds a secret). */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string = APP_ERRORS[code],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * A refusal answered by the bank: its stable code, HTTP status and details. The code is an
 * {@link ErrorCode} of @offpay/api (BANK_*, or PROTO_* for a batch refused whole), or one from a
 * bank newer than this app (shown in the bank's own words).
 */
export class BankRefusal extends Error {
  constructor(
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BankRefusal';
  }
}

/** True when `e` is the bank's refusal (with `code`, when given). */
export function isBankRefusal(e: unknown, code?: ErrorCode): e is BankRefusal {
  return (
    hasCode(e, code) &&
    (e as { name?: unknown }).name === 'BankRefusal' &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}

/**
 * The bank's codes that mean "no valid login": the token must go and the user sign in again. Not
 * BANK_SIGN_IN_REQUIRED: that token still serves everything but a payer enrollment, and the
 * enrollment form asks for the password anyway (enroll.ts `startEnrollment` signs in first).
 */
const SIGNED_OUT: ReadonlySet<string> = new Set<BankCode>([
  'BANK_AUTH_REQUIRED',
  'BANK_TOKEN_INVALID',
  'BANK_TOKEN_EXPIRED',
  'BANK_TOKEN_REVOKED',
]);

/** The one "signed out" rule: the bank refused the session (not the credentials, not the request). */
export function isSignedOut(e: unknown): boolean {
  return isBankRefusal(e) && SIGNED_OUT.has(e.code);
}

/** The same refusal with more details (what the app knows and the bank did not say). */
export function withDetails(e: BankRefusal, details: Record<string, unknown>): BankRefusal {
  return new BankRefusal(e.code, e.message, e.status, { ...e.details, ...details });
}

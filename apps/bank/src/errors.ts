/**
 * Stable, documented error codes of the bank's HTTP API (STYLE.md "Errors"). Every code has a row
 * in docs/errors.md; a test fails when one is missing. Codes are never renamed or reused.
 * Every error response has the shape `{ code, message, details }`.
 */

/** One registry entry: the HTTP status, what the code means, and what a client should do. */
export interface BankErrorSpec {
  status: number;
  meaning: string;
  advice: string;
}

/** The registry: the source of docs/errors.md and of every error response's status. */
export const BANK_ERRORS = {
  BANK_BAD_REQUEST: {
    status: 400,
    meaning:
      'The request is malformed: invalid JSON, or fields of the wrong shape (details.issues).',
    advice: 'Fix the request as details.issues says; do not retry it unchanged.',
  },
  BANK_BODY_TOO_LARGE: {
    status: 413,
    meaning: 'The request body is larger than the limit named in the message (details.limitBytes).',
    advice: 'Send less per request (split large ledgers into several batches).',
  },
  BANK_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'The Content-Type is not one the route accepts.',
    advice: 'Send application/json unless the route documents another type.',
  },
  BANK_NOT_FOUND: {
    status: 404,
    meaning: 'No route matches this method and path.',
    advice: 'Check the path against the API documentation at /docs.',
  },
  BANK_AUTH_REQUIRED: {
    status: 401,
    meaning: 'The route needs a login and no Bearer token was sent.',
    advice: 'Log in (POST /v1/auth/login) and send Authorization: Bearer <token>.',
  },
  BANK_TOKEN_INVALID: {
    status: 401,
    meaning:
      'The token is malformed, altered, signed with another key or algorithm, or for another audience.',
    advice: 'Discard the token and log in again.',
  },
  BANK_TOKEN_EXPIRED: {
    status: 401,
    meaning: 'The token has expired.',
    advice: 'Log in again.',
  },
  BANK_TOKEN_REVOKED: {
    status: 401,
    meaning: 'The token was revoked: the account logged out everywhere, or no longer exists.',
    advice: 'Log in again.',
  },
  BANK_BAD_CREDENTIALS: {
    status: 401,
    meaning: 'Email or password is wrong (the bank never says which).',
    advice: 'Check both and try again.',
  },
  BANK_EMAIL_TAKEN: {
    status: 409,
    meaning: 'An account with this email already exists.',
    advice: 'Log in instead, or register with another email.',
  },
  BANK_ACCOUNT_NOT_FOUND: {
    status: 404,
    meaning: 'The account does not exist (or is not yours).',
    advice: 'Check the account; register one if needed.',
  },
  BANK_INSUFFICIENT_FUNDS: {
    status: 409,
    meaning:
      'The account balance does not cover the amount (details: accountId, balanceMinor, requiredMinor).',
    advice: 'Use a smaller amount or fund the account first.',
  },
  BANK_CURRENCY_MISMATCH: {
    status: 422,
    meaning: 'Accounts or amounts in different currencies were combined.',
    advice: 'Use accounts and amounts of one currency.',
  },
  BANK_TRANSFER_UNBALANCED: {
    status: 500,
    meaning: 'A transfer whose legs do not sum to zero was refused; nothing moved. A bank defect.',
    advice: 'Report it to the bank operator; the request can be retried later.',
  },
  BANK_TRANSFER_INVALID: {
    status: 500,
    meaning:
      'A transfer with malformed legs (too few, too many, zero or out-of-range amounts) was refused; nothing moved. A bank defect.',
    advice: 'Report it to the bank operator.',
  },
  BANK_KEY_UNKNOWN: {
    status: 400,
    meaning:
      'The request names a bank key id (kid) that this bank does not have, or retired too long ago.',
    advice: 'Fetch GET /v1/keys, pin the current keys and seal again.',
  },
  BANK_UNAVAILABLE: {
    status: 503,
    meaning: 'The bank cannot reach its database (or another dependency it cannot work without).',
    advice: 'Retry later, after the Retry-After header.',
  },
  BANK_INTERNAL: {
    status: 500,
    meaning: 'An unexpected error; nothing about it is disclosed.',
    advice: 'Retry later; report it to the bank operator if it persists.',
  },
} as const satisfies Record<string, BankErrorSpec>;

/** Every bank error code. */
export type BankErrorCode = keyof typeof BANK_ERRORS;

/** Typed details per code; codes not listed carry free-form details. */
export interface BankDetailsMap {
  BANK_BAD_REQUEST: { issues: { path: string; message: string }[] };
  BANK_BODY_TOO_LARGE: { limitBytes: number };
  BANK_INSUFFICIENT_FUNDS: { accountId: string; balanceMinor: string; requiredMinor: string };
  BANK_CURRENCY_MISMATCH: { currencies: string[] };
  BANK_TRANSFER_UNBALANCED: { sumMinor: string };
  BANK_TRANSFER_INVALID: { reason: string };
  BANK_KEY_UNKNOWN: { kid: string };
}

/** Details of `C`: typed when listed in {@link BankDetailsMap}. */
export type BankDetails<C extends BankErrorCode> = C extends keyof BankDetailsMap
  ? BankDetailsMap[C]
  : Record<string, string | number | boolean | undefined>;

/** A coded bank error; services throw it and the error handler answers with its status. */
export class BankError<C extends BankErrorCode = BankErrorCode> extends Error {
  readonly code: C;
  readonly details: BankDetails<C>;
  readonly status: number;

  constructor(code: C, message: string, details?: BankDetails<C>) {
    super(message);
    this.name = 'BankError';
    this.code = code;
    this.status = BANK_ERRORS[code].status;
    this.details = (details ?? {}) as BankDetails<C>;
  }
}

/** Throws a {@link BankError}. */
export function bankFail<C extends BankErrorCode>(
  code: C,
  message: string,
  details?: BankDetails<C>,
): never {
  throw new BankError(code, message, details);
}

/**
 * True when `e` is a bank error with the given code (or any bank code). Matches on the code, not
 * `instanceof`, so copies of this module still agree (STYLE.md "Errors").
 */
export function isBankError<C extends BankErrorCode>(e: unknown, code?: C): e is BankError<C> {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  return (
    typeof c === 'string' && Object.hasOwn(BANK_ERRORS, c) && (code === undefined || c === code)
  );
}

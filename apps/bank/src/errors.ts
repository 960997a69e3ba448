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
  BANK_UNKNOWN_PAYEE: {
    status: 404,
    meaning: 'The settlement batch is signed for a payee key (payeeKid) this bank never certified.',
    advice: 'Enroll the receiver with this bank, then settle its ledger.',
  },
  BANK_PAYEE_REVOKED: {
    status: 403,
    meaning:
      'The payee certificate that signed the batch is revoked (compromised); nothing moved. A closed one still settles.',
    advice: 'Contact the bank; a receiver whose certificate was revoked cannot settle.',
  },
  BANK_PAYEE_EXPIRED: {
    status: 403,
    meaning: 'The payee certificate expired more than the grace period before this batch arrived.',
    advice: 'Settle more often; contact the bank about payments accepted before expiry.',
  },
  BANK_BATCH_NOT_CONTINUOUS: {
    status: 409,
    meaning:
      "The batch does not continue from the payee's settled head (details give the expected index and head); nothing moved.",
    advice: 'Fetch the settled head, rebuild the batch from that ledger index, and send it again.',
  },
  BANK_IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    meaning: 'The Idempotency-Key header is not 64 hexadecimal characters.',
    advice: 'Send the batch key (SHA-256 of the signed batch, hex) or no Idempotency-Key at all.',
  },
  BANK_IDEMPOTENCY_KEY_MISMATCH: {
    status: 422,
    meaning:
      'The Idempotency-Key header does not equal the key the bank derives from the batch itself (details.batchKey).',
    advice:
      'Send no Idempotency-Key or the batch key the bank names; never reuse a key for another batch.',
  },
  BANK_SETTLEMENT_NOT_FOUND: {
    status: 404,
    meaning: 'No settled batch has this batch key.',
    advice: 'Check the key (hex SHA-256 of the signed batch), or settle the batch first.',
  },
  BANK_UNKNOWN_CERTIFICATE: {
    status: 422,
    meaning:
      'Entry code: the payment is under a payer certificate this bank did not issue with these bytes; it is not settled.',
    advice: 'Nothing to retry; the payer must pay again under a certificate of this bank.',
  },
  BANK_RESERVE_EXHAUSTED: {
    status: 409,
    meaning:
      "Entry code: the payer certificate's reserve is used up and no fraud proof allows recovery from the payer's balance.",
    advice: 'Nothing to retry; contact the bank with the payment.',
  },
  BANK_CHALLENGE_INVALID: {
    status: 400,
    meaning:
      'The enrollment challenge is unknown, expired (5 minutes), already used, or was issued to another login.',
    advice: 'Request a new challenge (POST /v1/enrollment/challenge) and sign that one.',
  },
  BANK_PUBLIC_KEY_INVALID: {
    status: 400,
    meaning: 'A key to certify is not a compressed P-256 public key (details.field names it).',
    advice: 'Send the 33-byte compressed SEC1 key the device generated, base64url-encoded.',
  },
  BANK_ENROLLMENT_PROOF_INVALID: {
    status: 400,
    meaning:
      'The proof of possession does not verify: the challenge, keys and kind were not signed by the signing key sent.',
    advice:
      'Sign the enrollment tbs (docs/protocol.md §4.3) with the key being enrolled, over a new challenge.',
  },
  BANK_KEY_ALREADY_ENROLLED: {
    status: 409,
    meaning: 'This signing key already has a payee certificate (details.kid).',
    advice: 'Generate a new key pair on the device and enroll again.',
  },
  BANK_DISPLAY_NAME_UNUSABLE: {
    status: 422,
    meaning:
      "The account's display name cannot go in a payee certificate (longer than details.limitBytes UTF-8 bytes).",
    advice: 'Shorten the display name of the account, then enroll again.',
  },
  BANK_CERTIFICATE_NOT_FOUND: {
    status: 404,
    meaning: 'No certificate with this serial exists (or it is not yours).',
    advice: 'Check the serial (GET /v1/payer/sync lists your payer certificates).',
  },
  BANK_RATE_LIMITED: {
    status: 429,
    meaning:
      'Too many requests of this kind from this address, email or user in the current window (details: limit, retryAfterSeconds).',
    advice: 'Wait for the Retry-After header (details.retryAfterSeconds), then try again.',
  },
  BANK_PAYEE_NOT_FOUND: {
    status: 404,
    meaning:
      'You have no payee certificate with this kid (details.payeeKid), or none at all, so there is nothing to follow.',
    advice: 'Enroll a receiver (POST /v1/enrollment/payee), or name one of your own payee kids.',
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
  BANK_PUBLIC_KEY_INVALID: { field: 'signKey' | 'kemKey' };
  BANK_KEY_ALREADY_ENROLLED: { kid: string };
  BANK_DISPLAY_NAME_UNUSABLE: { limitBytes: number };
  BANK_CERTIFICATE_NOT_FOUND: { serial: string };
  BANK_RATE_LIMITED: { limit: number; retryAfterSeconds: number };
  BANK_PAYEE_NOT_FOUND: { payeeKid: string };
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

/**
 * The bank's error registry (STYLE.md "Errors"): every BANK_ code with its HTTP status, what it
 * means, what a client should do and its typed details. The source of the BANK_ table in
 * docs/errors.md (a test fails when the two disagree) and of every error answer's status. Codes
 * are never renamed or reused. Every error answer is {@link errorBody}: `{ code, message, details }`.
 */
import { PROTO_ERRORS, type ProtoErrorCode } from '@offpay/protocol';
import { z } from 'zod';
import {
  balanceMinor,
  currency,
  hex,
  hexUpTo,
  ledgerIndex,
  serial,
  signedMinor,
} from './fields.js';

/** Most issues one BANK_BAD_REQUEST lists (the bank keeps the first ones). */
export const MAX_ISSUES = 100;
/** Longest `message` of an error answer, in characters. */
export const MAX_ERROR_MESSAGE = 1000;

/** One problem with a request: where (`body/email`, `querystring/limit`, …) and what. */
export const issue = z.object({ path: z.string().max(200), message: z.string().max(500) });

const none = z.object({});
const limitBytes = z.object({ limitBytes: z.number().int().min(0) });
const kid = z.object({ kid: hex(8) });

/** HTTP statuses the bank answers errors with. */
export type BankStatus =
  400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 422 | 429 | 431 | 500 | 503;

/** One registry entry: the HTTP status, what the code means, what a client should do, details. */
export interface BankErrorSpec {
  status: BankStatus;
  meaning: string;
  advice: string;
  /** The shape of `details` in answers with this code (`{}` when it carries none). */
  details: z.ZodObject;
}

/** The registry, in the order of docs/errors.md. */
export const BANK_ERRORS = {
  BANK_BAD_REQUEST: {
    status: 400,
    meaning:
      'The request is malformed: not valid HTTP, invalid JSON, or fields of the wrong shape (details.issues).',
    advice: 'Fix the request as details.issues says; do not retry it unchanged.',
    details: z.object({ issues: z.array(issue).max(MAX_ISSUES) }),
  },
  BANK_BODY_TOO_LARGE: {
    status: 413,
    meaning: 'The request body is larger than the limit named in the message (details.limitBytes).',
    advice: 'Send less per request (split large ledgers into several batches).',
    details: limitBytes,
  },
  BANK_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning:
      'The Content-Type is not one the route accepts (details.accepted lists those it does).',
    advice:
      'Send one of details.accepted: application/json unless the route documents another type.',
    details: z.object({ accepted: z.array(z.string().max(100)).max(10) }),
  },
  BANK_NOT_FOUND: {
    status: 404,
    meaning: 'No route matches this path.',
    advice: 'Check the path against the API documentation at /docs.',
    details: none,
  },
  BANK_METHOD_NOT_ALLOWED: {
    status: 405,
    meaning:
      'The path exists but not with this method (details.allowed, also in the Allow header).',
    advice: 'Use one of the allowed methods.',
    details: z.object({ allowed: z.array(z.enum(['GET', 'HEAD', 'POST'])).max(3) }),
  },
  BANK_HEADERS_TOO_LARGE: {
    status: 431,
    meaning:
      'The request line and headers are larger than the bank reads (details.limitBytes); the connection is closed.',
    advice: 'Send shorter headers (a token or cookie may have grown); reconnect.',
    details: limitBytes,
  },
  BANK_REQUEST_TIMEOUT: {
    status: 408,
    meaning:
      'The request did not arrive completely in time (details.timeoutSeconds); the connection is closed.',
    advice: 'Send the whole request promptly; reconnect and retry.',
    details: z.object({ timeoutSeconds: z.number().int().min(0) }),
  },
  BANK_AUTH_REQUIRED: {
    status: 401,
    meaning: 'The route needs a login and no Bearer token was sent.',
    advice: 'Log in (POST /v1/auth/login) and send Authorization: Bearer <token>.',
    details: none,
  },
  BANK_TOKEN_INVALID: {
    status: 401,
    meaning:
      'The token is malformed, altered, signed with another key or algorithm, or for another audience.',
    advice: 'Discard the token and log in again.',
    details: none,
  },
  BANK_TOKEN_EXPIRED: {
    status: 401,
    meaning: 'The token has expired.',
    advice: 'Log in again.',
    details: none,
  },
  BANK_TOKEN_REVOKED: {
    status: 401,
    meaning:
      'The token was revoked: the account logged out everywhere, one of its devices was reported lost or stolen (or revoked as compromised), or it no longer exists.',
    advice: 'Log in again.',
    details: none,
  },
  BANK_SIGN_IN_REQUIRED: {
    status: 401,
    meaning:
      'A payer enrollment needs a recent sign-in: the token was issued longer ago than the bank allows (ENROLL_SIGN_IN_MAX_AGE_SECONDS, 5 minutes by default). Nothing was reserved and the challenge was not used.',
    advice: 'Sign in again (POST /v1/auth/login) and enroll with the new token.',
    details: none,
  },
  BANK_BAD_CREDENTIALS: {
    status: 401,
    meaning: 'Email or password is wrong (the bank never says which).',
    advice: 'Check both and try again.',
    details: none,
  },
  BANK_EMAIL_TAKEN: {
    status: 409,
    meaning: 'An account with this email already exists.',
    advice: 'Log in instead, or register with another email.',
    details: none,
  },
  BANK_ACCOUNT_NOT_FOUND: {
    status: 404,
    meaning: 'The account does not exist (or is not yours).',
    advice: 'Check the account; register one if needed.',
    details: none,
  },
  BANK_INSUFFICIENT_FUNDS: {
    status: 409,
    meaning:
      'The account balance does not cover the amount (details: accountId, balanceMinor, requiredMinor).',
    advice: 'Use a smaller amount or fund the account first.',
    details: z.object({
      accountId: z.string().max(64),
      balanceMinor: signedMinor,
      requiredMinor: balanceMinor,
    }),
  },
  BANK_CURRENCY_MISMATCH: {
    status: 422,
    meaning: 'Accounts or amounts in different currencies were combined.',
    advice: 'Use accounts and amounts of one currency.',
    details: z.object({ currencies: z.array(currency).max(64) }),
  },
  BANK_TRANSFER_UNBALANCED: {
    status: 500,
    meaning: 'A transfer whose legs do not sum to zero was refused; nothing moved. A bank defect.',
    advice: 'Report it to the bank operator; the request can be retried later.',
    details: z.object({ sumMinor: signedMinor }),
  },
  BANK_TRANSFER_INVALID: {
    status: 500,
    meaning:
      'A transfer with malformed legs (too few, too many, zero or out-of-range amounts) was refused; nothing moved. A bank defect.',
    advice: 'Report it to the bank operator.',
    details: z.object({
      reason: z.enum(['account_id', 'amount', 'reference', 'leg_count', 'no_effect']),
    }),
  },
  BANK_KEY_UNKNOWN: {
    status: 400,
    meaning:
      'The request names, in its path or fields, a bank key id (kid) this bank does not have. No v1 route names a key this way: a sealed batch naming an unknown or expired KEM kid is `PROTO_UNKNOWN_RECIPIENT_KEY`.',
    advice: 'Fetch GET /v1/keys, pin the current keys and seal again.',
    details: kid,
  },
  BANK_UNKNOWN_PAYEE: {
    status: 404,
    meaning: 'The settlement batch is signed for a payee key (payeeKid) this bank never certified.',
    advice: 'Enroll the receiver with this bank, then settle its ledger.',
    details: none,
  },
  BANK_PAYEE_REVOKED: {
    status: 403,
    meaning:
      "The batch's payee certificate is revoked (its till was reported lost or stolen) and the batch is not signed by the till its ledger was handed over to; nothing moved. A closed one still settles.",
    advice:
      "On the old till's backup restored on a new phone: Settle → Take over this ledger on new keys (or POST /v1/payee/handovers); its batches then settle, signed by the new keys.",
    details: none,
  },
  BANK_HANDOVER_REFUSED: {
    status: 409,
    meaning:
      'The ledger handover was refused (details.reason): the old till is not reported lost or stolen, the new till belongs to another account, or the new till is not active (revoked, closed or expired); nothing changed.',
    advice:
      'Report the old till lost or stolen first, and sign the handover with an active till of the same shop.',
    details: z.object({
      reason: z.enum(['not-reported', 'other-account', 'successor-inactive', 'same-till']),
    }),
  },
  BANK_PAYEE_EXPIRED: {
    status: 403,
    meaning: 'The payee certificate expired more than the grace period before this batch arrived.',
    advice: 'Settle more often; contact the bank about payments accepted before expiry.',
    details: none,
  },
  BANK_BATCH_NOT_CONTINUOUS: {
    status: 409,
    meaning:
      "The batch does not continue from the payee's settled head (details give the expected index and head); nothing moved.",
    advice: 'Fetch the settled head, rebuild the batch from that ledger index, and send it again.',
    details: z.object({ expectedFromIndex: ledgerIndex, expectedPrevHead: hexUpTo(32) }),
  },
  BANK_IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    meaning: 'The Idempotency-Key header is not 64 hexadecimal characters.',
    advice: 'Send the batch key (SHA-256 of the signed batch, hex) or no Idempotency-Key at all.',
    details: none,
  },
  BANK_IDEMPOTENCY_KEY_MISMATCH: {
    status: 422,
    meaning:
      'The Idempotency-Key header does not equal the key the bank derives from the batch itself (details.batchKey).',
    advice:
      'Send no Idempotency-Key or the batch key the bank names; never reuse a key for another batch.',
    details: z.object({ batchKey: hex(32) }),
  },
  BANK_SETTLEMENT_NOT_FOUND: {
    status: 404,
    meaning: 'No settled batch has this batch key.',
    advice: 'Check the key (hex SHA-256 of the signed batch), or settle the batch first.',
    details: none,
  },
  BANK_UNKNOWN_CERTIFICATE: {
    status: 422,
    meaning:
      "Entry code: the payment's payer certificate is not one this bank issued — no certificate has its serial, or that certificate has another tbs (compared by tbs, never by signature bytes); it is not settled.",
    advice: 'Nothing to retry; the payer must pay again under a certificate of this bank.',
    details: none,
  },
  BANK_RESERVE_EXHAUSTED: {
    status: 409,
    meaning:
      'Entry code: the certificate\'s reserve left does not cover the payment, and the rest may not be recovered from the payer\'s available balance (only for a certificate with a stored fraud proof, up to the recovery cap, never after its owner closed it or reported it lost or stolen, and only what the balance holds); the payment forms no proof itself (else its `PROTO_FRAUD_*` code). Nothing moved: the receiving merchant bears it (docs/threat-model.md "Liability").',
    advice:
      'Nothing to retry: the payer over-spent its reserve; contact the bank with the payment.',
    details: none,
  },
  BANK_CHALLENGE_INVALID: {
    status: 400,
    meaning:
      'The enrollment challenge is unknown, expired (5 minutes), already used, or was issued to another login.',
    advice: 'Request a new challenge (POST /v1/enrollment/challenge) and sign that one.',
    details: none,
  },
  BANK_PUBLIC_KEY_INVALID: {
    status: 400,
    meaning: 'A key to certify is not a compressed P-256 public key (details.field names it).',
    advice: 'Send the 33-byte compressed SEC1 key the device generated, base64url-encoded.',
    details: z.object({ field: z.enum(['signKey', 'kemKey']) }),
  },
  BANK_ENROLLMENT_PROOF_INVALID: {
    status: 400,
    meaning:
      'The proof of possession does not verify: the challenge, keys and kind were not signed by the signing key sent.',
    advice:
      'Sign the enrollment tbs (docs/protocol.md §4.3) with the key being enrolled, over a new challenge.',
    details: none,
  },
  BANK_KEY_ALREADY_ENROLLED: {
    status: 409,
    meaning: 'This signing key already has a payee certificate (details.kid).',
    advice: 'Generate a new key pair on the device and enroll again.',
    details: kid,
  },
  BANK_CLOCK_BEHIND: {
    status: 409,
    meaning:
      "The bank's clock is before its latest key announcement; a rotation now would announce keys out of order, so nothing was rotated.",
    advice: "Fix the bank's clock (NTP), then rotate again.",
    details: none,
  },
  BANK_DISPLAY_NAME_UNUSABLE: {
    status: 422,
    meaning:
      'The display name cannot go in a payee certificate: not display text (docs/protocol.md §3) or longer than details.limitBytes UTF-8 bytes.',
    advice: 'Choose a shorter name without control or format characters, and apply with it.',
    details: limitBytes,
  },
  BANK_OPERATOR_BAD_CREDENTIALS: {
    status: 401,
    meaning:
      'Operator sign-in refused: email, password or one-time code wrong, or the code already used (the bank never says which).',
    advice:
      'Check all three and wait for the next code of the authenticator app before trying again.',
    details: none,
  },
  BANK_ROLE_FORBIDDEN: {
    status: 403,
    meaning:
      "The operator's role may not use this route (details: role, allowed); auditors only read.",
    advice: 'Ask an operator with one of the allowed roles.',
    details: z.object({
      role: z.string().max(32),
      allowed: z.array(z.string().max(32)).max(8),
    }),
  },
  BANK_APPLICATION_OPEN: {
    status: 409,
    meaning: 'This account already has an open merchant application (details.applicationId).',
    advice: 'Wait for the decision on it (GET /v1/merchant/application).',
    details: z.object({ applicationId: z.string().max(64) }),
  },
  BANK_APPLICATION_NOT_FOUND: {
    status: 404,
    meaning: 'No merchant application has this id (details.applicationId).',
    advice: 'Check the id against the queue (GET /v1/operator/merchant-applications).',
    details: z.object({ applicationId: z.string().max(64) }),
  },
  BANK_APPLICATION_DECIDED: {
    status: 409,
    meaning: 'The merchant application was already decided (details: applicationId, state).',
    advice: 'Nothing to do; a refused applicant may apply again.',
    details: z.object({
      applicationId: z.string().max(64),
      state: z.enum(['approved', 'refused']),
    }),
  },
  BANK_MERCHANT_ALREADY_VERIFIED: {
    status: 409,
    meaning: 'This account is already a verified merchant (details.displayName).',
    advice: 'Nothing to apply for; enroll tills under the verified name.',
    details: z.object({ displayName: z.string().max(64) }),
  },
  BANK_DISPLAY_NAME_TAKEN: {
    status: 409,
    meaning:
      'A verified merchant already has this display name, compared under case folding (details.displayName).',
    advice: 'Apply with another name.',
    details: z.object({ displayName: z.string().max(64) }),
  },
  BANK_DISPLAY_NAME_CONFUSABLE: {
    status: 409,
    meaning:
      'The display name looks like the verified name details.confusableWith (same Unicode confusable skeleton, UTS #39).',
    advice: 'Apply with a name that does not imitate another merchant.',
    details: z.object({ confusableWith: z.string().max(64) }),
  },
  BANK_DISPLAY_NAME_MIXED_SCRIPT: {
    status: 422,
    meaning:
      'The display name mixes scripts beyond what UTS #39 calls highly restrictive (details.scripts), as look-alike names do.',
    advice: 'Write the name in one script (digits and punctuation may join it).',
    details: z.object({ scripts: z.array(z.string().max(32)).max(16) }),
  },
  BANK_MERCHANT_NOT_VERIFIED: {
    status: 403,
    meaning:
      "The bank has not verified this account's merchant identity, so it issues no payee certificate (details.state: none, pending or refused).",
    advice: 'Apply (POST /v1/merchant/application) and enroll the till once an operator approved.',
    details: z.object({ state: z.enum(['none', 'pending', 'refused']) }),
  },
  BANK_CERTIFICATE_NOT_FOUND: {
    status: 404,
    meaning: 'No certificate with this serial exists (or it is not yours).',
    advice: 'Check the serial (GET /v1/payer/sync lists your payer certificates).',
    details: z.object({ serial }),
  },
  BANK_FRAUD_PROOF_NOT_FOUND: {
    status: 404,
    meaning: 'No stored fraud proof has this id (details.id).',
    advice:
      'Check the id (a rejected settlement entry names its proof; GET /v1/fraud-proofs?payerSerial= lists them).',
    details: z.object({ id: z.string().max(19) }),
  },
  BANK_DEPOSIT_CONFLICT: {
    status: 409,
    meaning:
      'A deposit with this external reference was already applied with another account, amount or currency (details: reference, depositId); nothing moved.',
    advice:
      'Check the statement: a reference names one credit. Correct the earlier deposit by an adjustment, never by a second deposit.',
    details: z.object({ reference: z.string().max(64), depositId: z.string().max(19) }),
  },
  BANK_STATEMENT_INVALID: {
    status: 422,
    meaning:
      'The statement file cannot be read as a whole (details: line, reason): not CSV, a header other than the documented columns, or more rows than allowed; no row was applied.',
    advice:
      'Fix the file as details say (docs/operations.md lists the columns) and import it again.',
    details: z.object({
      line: z.number().int().min(0).max(1_000_000),
      reason: z.enum(['csv', 'header', 'too_many_rows', 'empty']),
    }),
  },
  BANK_STATEMENT_ROW_INVALID: {
    status: 422,
    meaning:
      'Row outcome of a statement import: a field of the row is malformed or missing (details.field); the row was not applied.',
    advice:
      'Correct the row and import it again; rows already applied are reported, not applied twice.',
    details: z.object({
      field: z.enum([
        'columns',
        'reference',
        'date',
        'account',
        'amount_minor',
        'currency',
        'description',
      ]),
    }),
  },
  BANK_IBAN_INVALID: {
    status: 422,
    meaning:
      'The IBAN is not valid (details.reason): unknown country, wrong length or format for its country, or wrong check digits.',
    advice: 'Copy the IBAN again from the bank statement of the account to be paid.',
    details: z.object({
      reason: z.enum(['country', 'length', 'format', 'checksum']),
    }),
  },
  BANK_PAYOUT_ACCOUNTS_LIMIT: {
    status: 409,
    meaning: 'This account already has the most payout accounts allowed (details.limit).',
    advice: 'Use one of your registered payout accounts (GET /v1/payout-accounts).',
    details: z.object({ limit: z.number().int().min(0).max(1000) }),
  },
  BANK_PAYOUT_ACCOUNT_NOT_FOUND: {
    status: 404,
    meaning: 'You have no payout account with this id.',
    advice: 'Register it first (POST /v1/payout-accounts), or pick one of GET /v1/payout-accounts.',
    details: none,
  },
  BANK_IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    meaning:
      'This Idempotency-Key already named another payout request (details.payoutId); nothing was held.',
    advice: 'Use a new key for a new payout; send the same request to read the first one.',
    details: z.object({ payoutId: z.string().max(64) }),
  },
  BANK_PAYOUT_NOT_FOUND: {
    status: 404,
    meaning: 'No payout has this id (details.payoutId).',
    advice: 'Check the id against GET /v1/operator/payouts.',
    details: z.object({ payoutId: z.string().max(64) }),
  },
  BANK_PAYOUT_STATE: {
    status: 409,
    meaning:
      'The payout is not in a state this step applies to (details: payoutId, state, expected); nothing moved.',
    advice:
      'Read the payout again: it was decided, exported, confirmed or failed already (a step is never applied twice).',
    details: z.object({
      payoutId: z.string().max(64),
      state: z.string().max(16),
      expected: z.array(z.string().max(16)).max(8),
    }),
  },
  BANK_PAYOUT_BATCH_EMPTY: {
    status: 409,
    meaning: 'No approved payout of this currency waits for export (details.currency).',
    advice: 'Approve payouts first (GET /v1/operator/payouts?state=requested).',
    details: z.object({ currency }),
  },
  BANK_PAYOUT_BATCH_NOT_FOUND: {
    status: 404,
    meaning: 'No payout batch has this id (details.batchId).',
    advice: 'Check the id an export answered with.',
    details: z.object({ batchId: z.string().max(64) }),
  },
  BANK_WEBHOOK_URL_INVALID: {
    status: 422,
    meaning:
      'The webhook URL is not one the bank will call (details.reason): not https, not a URL, with a user or password, a fragment, or a private or loopback address.',
    advice: 'Give a public https:// URL of your server, without credentials or #fragment.',
    details: z.object({
      reason: z.enum(['format', 'scheme', 'credentials', 'fragment', 'private']),
    }),
  },
  BANK_WEBHOOKS_LIMIT: {
    status: 409,
    meaning: 'This account already has the most webhook endpoints allowed (details.limit).',
    advice: 'Disable one you no longer use (POST /v1/webhooks/{id}/disable) first.',
    details: z.object({ limit: z.number().int().min(0).max(1000) }),
  },
  BANK_WEBHOOK_NOT_FOUND: {
    status: 404,
    meaning: 'You have no webhook endpoint with this id (details.endpointId).',
    advice: 'Check the id (GET /v1/webhooks lists yours).',
    details: z.object({ endpointId: z.string().max(64) }),
  },
  BANK_RATE_LIMITED: {
    status: 429,
    meaning:
      'Too many requests of this kind from this address, email or user, or bank-wide for registrations, in the current window (details: limit, retryAfterSeconds).',
    advice: 'Wait for the Retry-After header (details.retryAfterSeconds), then try again.',
    details: z.object({
      limit: z.number().int().min(0),
      retryAfterSeconds: z.number().int().min(0),
    }),
  },
  BANK_PAYEE_NOT_FOUND: {
    status: 404,
    meaning:
      'You have no payee certificate with this kid (details.payeeKid), or none at all, so there is nothing to follow.',
    advice: 'Enroll a receiver (POST /v1/enrollment/payee), or name one of your own payee kids.',
    details: z.object({ payeeKid: hexUpTo(8) }),
  },
  BANK_PAYMENT_NOT_FOUND: {
    status: 404,
    meaning:
      'No payment with this paymentId settled to one of your payee certificates (or, for reading its refunds, was paid by one of yours).',
    advice:
      'Check the paymentId (hex, from your ledger or statement); only settled payments can be refunded.',
    details: z.object({ paymentId: hexUpTo(32) }),
  },
  BANK_REFUND_EXCEEDS_PAYMENT: {
    status: 409,
    meaning:
      'The refund would take the payment’s refunds past its settled amount (details.refundableMinor is what remains). Nothing moved.',
    advice: 'Refund at most details.refundableMinor.',
    details: z.object({ refundableMinor: balanceMinor }),
  },
  BANK_REFUND_TO_SELF: {
    status: 409,
    meaning:
      'The payment went from your own account to your own till: a refund would move nothing. Nothing moved.',
    advice: 'Nothing to do: the money never left your account.',
    details: none,
  },
  BANK_REFUND_KEY_REUSED: {
    status: 409,
    meaning:
      'This Idempotency-Key already made a refund of another payment or amount (details.refundId). Nothing moved.',
    advice: 'Use a new key for a new refund; send the same key only to repeat the same refund.',
    details: z.object({ refundId: z.string().max(36) }),
  },
  BANK_REVOCATION_LIST_FULL: {
    status: 503,
    meaning:
      'The revocation list already holds the most serials the protocol allows (details.limit), so this revocation of a payer certificate cannot be published; nothing was changed. The bank never drops a serial to make room.',
    advice:
      'Retry later (serials leave the list once their certificate is past expiry + grace). Operators: see docs/operations.md "Revocation list".',
    details: z.object({ limit: z.number().int().min(1) }),
  },
  BANK_UNAVAILABLE: {
    status: 503,
    meaning:
      'The bank cannot reach its database (or another dependency it cannot work without), or its transaction kept losing to concurrent work on the same accounts after retries. Nothing was changed.',
    advice:
      'Retry after the Retry-After header; a settlement batch is sent again as it is (it settles once).',
    details: none,
  },
  BANK_INTERNAL: {
    status: 500,
    meaning: 'An unexpected error; nothing about it is disclosed.',
    advice: 'Retry later; report it to the bank operator if it persists.',
    details: z.object({ requestId: z.string().max(200) }),
  },
} as const satisfies Record<`BANK_${string}`, BankErrorSpec>;

/** Every bank error code. */
export type BankCode = keyof typeof BANK_ERRORS;

/** Every bank error code, in registry order. */
export const BANK_CODES = Object.keys(BANK_ERRORS) as [BankCode, ...BankCode[]];

/** The typed details of an answer with code `C`. */
export type BankDetails<C extends BankCode> = z.infer<(typeof BANK_ERRORS)[C]['details']>;

/** A code an error answer may carry: the bank's own, or the protocol's for a batch refused whole. */
export type ErrorCode = BankCode | ProtoErrorCode;

const PROTO_CODES = Object.keys(PROTO_ERRORS) as ProtoErrorCode[];

/** Every code an error answer may carry. */
export const ERROR_CODES = [...BANK_CODES, ...PROTO_CODES] as [ErrorCode, ...ErrorCode[]];

/** True when `code` is one of the bank's codes. */
export function isBankCode(code: unknown): code is BankCode {
  return typeof code === 'string' && Object.hasOwn(BANK_ERRORS, code);
}

// What `details` may hold in any error answer: flat scalars, short lists, or the issues list.
const detailValue = z.union([
  z.string().max(1000),
  z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
  z.boolean(),
  z.null(),
  z.array(z.string().max(100)).max(100),
  z.array(issue).max(MAX_ISSUES),
]);

/** Every error answer of the bank. Read typed details with {@link bankDetails}. */
export const errorBody = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string().max(MAX_ERROR_MESSAGE),
    details: z
      .record(z.string().max(64), detailValue)
      .refine((d) => Object.keys(d).length <= 32, 'at most 32 details'),
  })
  .describe('An error: a stable code (docs/errors.md), a message for people, typed details');

/** An error answer, parsed. */
export type ErrorBody = z.infer<typeof errorBody>;

/**
 * The details of an error answer as its code's registry entry types them; null when `body` has
 * another code or its details do not have that shape.
 */
export function bankDetails<C extends BankCode>(body: ErrorBody, code: C): BankDetails<C> | null {
  if (body.code !== code) return null;
  const parsed = BANK_ERRORS[code].details.safeParse(body.details);
  return parsed.success ? (parsed.data as BankDetails<C>) : null;
}

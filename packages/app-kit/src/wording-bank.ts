/**
 * The words people see for the BANK_* codes of the bank's registry (@offpay/api, documented in
 * docs/errors.md) and the CRYPTO_* codes of packages/crypto: a short title and one or two
 * sentences (what happened, what to do). Each table is typed over its code union: a code
 * missing here, or one the registry no longer has, fails the type check.
 */
import type { BankCode } from '@offpay/api';
import type { CryptoErrorCode } from '@offpay/crypto';
import { TAMPERED, type Words } from './wording-text.js';

const REFUSED = 'Request refused';
const BANK_FAULT = 'Bank error';

/** The CRYPTO_* codes of packages/crypto. */
export const CRYPTO_WORDS = {
  CRYPTO_AEAD_AUTH_FAILED: {
    title: TAMPERED,
    text: 'The encrypted data was changed or does not belong here, so it was refused.',
  },
  CRYPTO_HPKE_OPEN_FAILED: {
    title: TAMPERED,
    text: 'The sealed data could not be opened: it was damaged, changed, or sealed for someone else.',
  },
  CRYPTO_INVALID_PUBLIC_KEY: {
    title: 'Invalid key',
    text: 'A key in this message is not valid, so it was refused. Ask for a fresh copy.',
  },
  CRYPTO_INVALID_SECRET_KEY: {
    title: 'Stored keys damaged',
    text: 'A key stored on this device is damaged. Restore a backup, or set the app up again and enroll.',
  },
  CRYPTO_DERIVE_KEY_PAIR_FAILED: {
    title: 'Key generation failed',
    text: 'Making keys failed. Try again.',
  },
} satisfies Record<CryptoErrorCode, Words>;

/** Every BANK_* code of the bank's registry. */
export const BANK_WORDS = {
  BANK_BAD_REQUEST: {
    title: REFUSED,
    text: "The bank could not read the app's request. Update the app and try again.",
  },
  BANK_BODY_TOO_LARGE: {
    title: 'Too large for the bank',
    text: 'The bank refused a request this large. Settle in smaller batches.',
  },
  BANK_UNSUPPORTED_MEDIA_TYPE: {
    title: REFUSED,
    text: 'The bank did not accept the format of the request. Update the app.',
  },
  BANK_NOT_FOUND: {
    title: 'Wrong bank address',
    text: 'The bank does not offer this service at this address. Check the bank address, or update the app.',
  },
  BANK_METHOD_NOT_ALLOWED: {
    title: REFUSED,
    text: 'The bank does not offer this action at this address. Update the app.',
  },
  BANK_HEADERS_TOO_LARGE: {
    title: REFUSED,
    text: 'The bank refused a request with this much header data. Log in again and retry.',
  },
  BANK_REQUEST_TIMEOUT: {
    title: 'Connection too slow',
    text: 'The request did not reach the bank in time. Try again on a better connection.',
  },
  BANK_AUTH_REQUIRED: { title: 'Log in needed', text: 'Log in to the bank to continue.' },
  BANK_TOKEN_INVALID: {
    title: 'Log in again',
    text: 'Your bank session is no longer valid. Log in again.',
  },
  BANK_TOKEN_EXPIRED: {
    title: 'Session expired',
    text: 'Your bank session has expired. Log in again.',
  },
  BANK_TOKEN_REVOKED: {
    title: 'Logged out',
    text: 'Your bank session was ended: logged out everywhere, or a device of this account was reported lost or stolen. Log in again.',
  },
  BANK_SIGN_IN_REQUIRED: {
    title: 'Sign in again',
    text: 'Enrolling a wallet needs a recent sign-in. Enter your email and password again to enroll.',
  },
  BANK_BAD_CREDENTIALS: {
    title: 'Wrong email or password',
    text: 'The bank did not recognise that email and password. Check both and try again.',
  },
  BANK_EMAIL_TAKEN: {
    title: 'Email already used',
    text: 'An account with this email already exists. Log in instead.',
  },
  BANK_ACCOUNT_NOT_FOUND: {
    title: 'Account not found',
    text: 'The bank has no such account for this login. Check the account.',
  },
  BANK_INSUFFICIENT_FUNDS: {
    title: 'Not enough money',
    text: 'Your bank balance does not cover this amount. Choose a smaller amount or add money first.',
  },
  BANK_CURRENCY_MISMATCH: {
    title: 'Wrong currency',
    text: 'The bank refused to combine different currencies. Use one currency.',
  },
  BANK_TRANSFER_UNBALANCED: {
    title: BANK_FAULT,
    text: 'The bank hit an internal problem and nothing moved. Try again later.',
  },
  BANK_TRANSFER_INVALID: {
    title: BANK_FAULT,
    text: 'The bank refused an invalid internal transfer and nothing moved. Try again later.',
  },
  BANK_KEY_UNKNOWN: {
    title: 'Bank keys changed',
    text: "The bank no longer uses the key this was sealed to. Go online to refresh the bank's keys, then try again.",
  },
  BANK_UNKNOWN_PAYEE: {
    title: 'Till not enrolled',
    text: 'The bank does not know this till. Enroll it with the bank, then settle.',
  },
  BANK_PAYEE_REVOKED: {
    title: 'Till revoked',
    text: 'This till was reported lost or stolen, so its own key settles nothing any more. If this is its backup restored on a new phone, Take over this ledger on new keys: its payments then settle.',
  },
  BANK_HANDOVER_REFUSED: {
    title: 'Handover refused',
    text: 'The bank refused to move the old till’s payments to this till: report the old till lost or stolen first, and use a till of the same shop that is still active.',
  },
  BANK_PAYEE_EXPIRED: {
    title: 'Till certificate expired',
    text: "The till's certificate expired too long ago to settle. Contact the bank about these payments.",
  },
  BANK_BATCH_NOT_CONTINUOUS: {
    title: 'Ledger out of step',
    text: 'The bank expected the settlement to continue from another ledger entry. Settle again so the app rebuilds the batch.',
  },
  BANK_IDEMPOTENCY_KEY_INVALID: {
    title: REFUSED,
    text: 'The bank refused the settlement request as sent. Update the app and settle again.',
  },
  BANK_IDEMPOTENCY_KEY_MISMATCH: {
    title: REFUSED,
    text: 'The bank refused a settlement labelled for another batch. Settle again from the app.',
  },
  BANK_SETTLEMENT_NOT_FOUND: {
    title: 'Settlement not found',
    text: 'The bank has no record of this settlement. Settle the batch first.',
  },
  BANK_UNKNOWN_CERTIFICATE: {
    title: 'Unknown payer certificate',
    text: "The bank did not issue this payer's certificate, so the payment was not settled. The payer must pay again.",
  },
  BANK_RESERVE_EXHAUSTED: {
    title: "Payer's reserve used up",
    text: 'The payer spent more than its reserve and the bank may not recover the difference (the payer’s loss is capped, and nothing more is taken once a wallet is reported lost or stolen), so this payment was not settled. Contact the bank.',
  },
  BANK_CHALLENGE_INVALID: {
    title: 'Enrollment timed out',
    text: 'The enrollment took too long or was already used. Start the enrollment again.',
  },
  BANK_PUBLIC_KEY_INVALID: {
    title: 'Enrollment refused',
    text: "The bank refused this device's key. Set the app up again to make new keys, then enroll.",
  },
  BANK_ENROLLMENT_PROOF_INVALID: {
    title: 'Enrollment refused',
    text: 'The bank could not verify that this device holds its key. Start the enrollment again.',
  },
  BANK_KEY_ALREADY_ENROLLED: {
    title: 'Already enrolled',
    text: 'This device key already has a certificate. Make new keys, then enroll again.',
  },
  BANK_CLOCK_BEHIND: {
    title: 'Bank clock behind',
    text: "The bank's clock is behind its last key change, so nothing was rotated. Fix the clock, then try again.",
  },
  BANK_DISPLAY_NAME_UNUSABLE: {
    title: 'Name not usable',
    text: 'This shop name is too long or has characters a certificate cannot carry. Choose a shorter, plain name.',
  },
  BANK_OPERATOR_BAD_CREDENTIALS: {
    title: 'Sign-in refused',
    text: 'The email, password or one-time code is wrong, or the code was used already. Wait for the next code and try again.',
  },
  BANK_ROLE_FORBIDDEN: {
    title: 'Not allowed for your role',
    text: 'Your operator role may only look, not change. Ask an operator to do it.',
  },
  BANK_APPLICATION_OPEN: {
    title: 'Application already open',
    text: 'Your merchant application is waiting for the bank. You can apply again once it is decided.',
  },
  BANK_APPLICATION_NOT_FOUND: {
    title: 'Application not found',
    text: 'The bank has no merchant application with this reference. Reload the list.',
  },
  BANK_APPLICATION_DECIDED: {
    title: 'Already decided',
    text: 'Someone already approved or refused this application. Reload to see the decision.',
  },
  BANK_MERCHANT_ALREADY_VERIFIED: {
    title: 'Already a verified merchant',
    text: 'The bank has already verified this account as a merchant. Enroll your till under that name.',
  },
  BANK_DISPLAY_NAME_TAKEN: {
    title: 'Name already taken',
    text: 'Another verified shop already has this name. Choose another name.',
  },
  BANK_DISPLAY_NAME_CONFUSABLE: {
    title: 'Name looks like another shop',
    text: "This name looks like a verified shop's name, so payers could mistake one for the other. Choose a clearly different name.",
  },
  BANK_DISPLAY_NAME_MIXED_SCRIPT: {
    title: 'Mixed alphabets',
    text: 'This name mixes letters of different alphabets, as fake shop names do. Write it in one alphabet.',
  },
  BANK_MERCHANT_NOT_VERIFIED: {
    title: 'Shop not verified yet',
    text: 'The bank enrolls tills only for shops it has verified. Apply as a merchant, and enroll once the bank has approved.',
  },
  BANK_FRAUD_PROOF_NOT_FOUND: {
    title: 'Proof not found',
    text: 'The bank has no fraud proof with this number.',
  },
  BANK_CERTIFICATE_NOT_FOUND: {
    title: 'Certificate not found',
    text: 'The bank has no such certificate for this login. Sync with the bank to see your certificates.',
  },
  BANK_RATE_LIMITED: {
    title: 'Too many attempts',
    text: 'The bank asks you to slow down. Wait a little, then try again.',
  },
  BANK_PAYEE_NOT_FOUND: {
    title: 'Till not enrolled',
    text: 'This login has no receiver certificate for this till. Enroll the till, then settle.',
  },
  BANK_DEPOSIT_CONFLICT: {
    title: 'Deposit already applied',
    text: 'A deposit with this reference was already applied with other details. Nothing moved.',
  },
  BANK_STATEMENT_INVALID: {
    title: 'Statement not read',
    text: 'The statement file is not in the documented CSV form. No row was applied.',
  },
  BANK_STATEMENT_ROW_INVALID: {
    title: 'Statement row refused',
    text: 'A row of the statement is malformed and was not applied.',
  },
  BANK_IBAN_INVALID: {
    title: 'Check the IBAN',
    text: 'This IBAN is not valid: check the country, the length and the check digits.',
  },
  BANK_PAYOUT_ACCOUNTS_LIMIT: {
    title: 'Too many payout accounts',
    text: 'This login already has the most payout accounts allowed.',
  },
  BANK_PAYOUT_ACCOUNT_NOT_FOUND: {
    title: 'Payout account not found',
    text: 'This login has no payout account with this id.',
  },
  BANK_IDEMPOTENCY_KEY_REUSED: {
    title: 'Request already used',
    text: 'This request was already used for another payout. Start a new payout request.',
  },
  BANK_PAYOUT_NOT_FOUND: {
    title: 'Payout not found',
    text: 'The bank has no payout with this id.',
  },
  BANK_PAYOUT_STATE: {
    title: 'Payout already moved on',
    text: 'The payout is not in a state where this step applies. Nothing moved.',
  },
  BANK_PAYOUT_BATCH_EMPTY: {
    title: 'Nothing to export',
    text: 'No approved payout in this currency is waiting for export.',
  },
  BANK_PAYOUT_BATCH_NOT_FOUND: {
    title: 'Payout batch not found',
    text: 'The bank has no payout batch with this id.',
  },
  BANK_WEBHOOK_URL_INVALID: {
    title: 'Webhook address refused',
    text: 'The bank only calls public https:// addresses, without a password or #fragment in them.',
  },
  BANK_WEBHOOKS_LIMIT: {
    title: 'Too many webhooks',
    text: 'You have the most webhook endpoints allowed. Disable one you no longer use first.',
  },
  BANK_WEBHOOK_NOT_FOUND: {
    title: 'Webhook not found',
    text: 'You have no webhook endpoint with this id.',
  },
  BANK_PAYMENT_NOT_FOUND: {
    title: 'Payment not found',
    text: 'The bank has no settled payment with this id for your login. Only settled payments can be refunded: settle first.',
  },
  BANK_REFUND_EXCEEDS_PAYMENT: {
    title: 'Too much to refund',
    text: 'The refunds of this payment would come to more than the customer paid. Refund at most what remains.',
  },
  BANK_REFUND_TO_SELF: {
    title: 'Nothing to refund',
    text: 'This payment came from your own account: the money never left it.',
  },
  BANK_REFUND_KEY_REUSED: {
    title: 'Refund already made',
    text: 'This refund request was already used for another amount. Open the refund again and start over.',
  },
  BANK_REVOCATION_LIST_FULL: {
    title: 'Bank busy',
    text: 'The bank cannot record this right now. Try again later.',
  },
  BANK_UNAVAILABLE: {
    title: 'Bank unavailable',
    text: 'The bank is temporarily unavailable. Try again in a minute.',
  },
  BANK_INTERNAL: {
    title: BANK_FAULT,
    text: 'Something went wrong at the bank. Try again later; if it keeps happening, contact the bank.',
  },
} satisfies Record<BankCode, Words>;

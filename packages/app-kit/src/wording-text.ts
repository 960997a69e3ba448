/**
 * The words people see for each PROTO_* and APP_* code: a short title and one or two sentences
 * (what happened, what to do). Texts that use details live in wording.ts; these are the plain
 * defaults. Meanings follow docs/errors.md; BANK_* and CRYPTO_* words are in wording-bank.ts.
 */
import type { ProtoErrorCode } from '@offpay/protocol';
import type { AppErrorCode } from './errors.js';

/** A title and an explanation. */
export interface Words {
  title: string;
  text: string;
}

/** The headline of every "the bytes were changed" refusal. */
export const TAMPERED = 'Damaged or tampered';
const DOUBLE_SPEND = 'Double spend detected';
const OTHER_RECEIVER = 'Meant for another receiver';

/** Every PROTO_* code of packages/protocol/src/errors.ts. */
export const PROTO_WORDS = {
  PROTO_TOO_LARGE: {
    title: 'Too large',
    text: 'This is larger than an offpay message may be, so it was refused. Check that it is the right code or file.',
  },
  PROTO_CBOR_MALFORMED: {
    title: TAMPERED,
    text: 'The data is cut short or garbled, so it was refused. Scan the code or load the file again.',
  },
  PROTO_CBOR_NONCANONICAL: {
    title: TAMPERED,
    text: 'The data was re-encoded or altered on the way, so it was refused. Ask for a fresh copy.',
  },
  PROTO_CBOR_FORBIDDEN: {
    title: TAMPERED,
    text: 'The data holds things an offpay message never contains, so it was refused. Ask for a fresh copy.',
  },
  PROTO_VERSION_UNSUPPORTED: {
    title: 'Newer version needed',
    text: 'This comes from a version of offpay this app does not know. Update the app, or ask the other side to use protocol v1.',
  },
  PROTO_SCHEMA: {
    title: TAMPERED,
    text: 'A field of the message has the wrong form, so it was refused. Ask for a fresh copy.',
  },
  PROTO_SIGNATURE_INVALID: {
    title: TAMPERED,
    text: 'A signature does not match: the message was forged or changed after it was signed. Do not accept it.',
  },
  PROTO_UNKNOWN_ISSUER: {
    title: 'Unknown bank key',
    text: "The certificate was issued under a bank key this app does not know. Go online so the app can refresh the bank's keys, then try again.",
  },
  PROTO_CERT_WRONG_TYPE: {
    title: 'Wrong certificate',
    text: 'The other side used the wrong kind of certificate (a payer one instead of a receiver one, or the reverse). Ask them to check their app.',
  },
  PROTO_CERT_EXPIRED: {
    title: 'Certificate expired',
    text: 'The certificate behind this has expired, so it was refused. Its owner must go online and renew it.',
  },
  PROTO_CERT_REVOKED: {
    title: 'Payer revoked',
    text: "The bank has revoked this payer's certificate (closed, or caught cheating). Do not accept payments from it.",
  },
  PROTO_CURRENCY_MISMATCH: {
    title: 'Wrong currency',
    text: "The amounts are in different currencies. Pay in the receiver's currency.",
  },
  PROTO_AMOUNT_INVALID: {
    title: 'Invalid amount',
    text: 'Enter a whole, positive amount, for example 2.50.',
  },
  PROTO_REQUEST_EXPIRED: {
    title: 'Request expired',
    text: 'The payment request has expired. Ask the receiver to make a new one.',
  },
  PROTO_REQUEST_MISMATCH: {
    title: 'Not for this request',
    text: 'This payment answers another request or another amount. Scan the payment made for the request on screen, or make a new request.',
  },
  PROTO_PAYMENT_WRONG_PAYEE: {
    title: OTHER_RECEIVER,
    text: 'This payment was made out to someone else, so it cannot be accepted here.',
  },
  PROTO_PAYMENT_OVER_LIMIT: {
    title: "Over the payer's allowance",
    text: 'This payment would take the payer past the allowance the bank gave it. The payer must go online to sync and renew.',
  },
  PROTO_PAYMENT_BAD_PREV: {
    title: 'Payer wallet inconsistent',
    text: "The payment does not follow on from the payer's earlier payments, so it was refused. The payer should sync with the bank.",
  },
  PROTO_PAYMENT_BAD_SPENT: {
    title: 'Payer wallet inconsistent',
    text: "The payment's running total does not add up, so it was refused. The payer should sync with the bank.",
  },
  PROTO_PAYMENT_FROM_FUTURE: {
    title: 'Dated in the future',
    text: "The payment is dated ahead of this device's clock. Check the date and time on both devices.",
  },
  PROTO_PAYMENT_DUPLICATE: {
    title: 'Already accepted',
    text: 'This payment was already accepted. Nothing was added.',
  },
  PROTO_FRAUD_EQUIVOCATION: {
    title: DOUBLE_SPEND,
    text: 'The payer signed two different payments with the same number: it is spending the same money twice. Refuse it; the bank can use this as proof.',
  },
  PROTO_FRAUD_FORK: {
    title: DOUBLE_SPEND,
    text: "The payer's payments contradict each other: it is spending the same money twice. Refuse it; the bank can use this as proof.",
  },
  PROTO_FRAUD_UNDERSTATED: {
    title: DOUBLE_SPEND,
    text: 'The payer hid part of what it had already spent. Refuse the payment; the bank can use this as proof.',
  },
  PROTO_FRAUD_PROOF_INVALID: {
    title: 'Not a fraud proof',
    text: 'The claimed proof of cheating does not hold, so nothing is held against the payer on its basis.',
  },
  PROTO_UNKNOWN_RECIPIENT_KEY: {
    title: OTHER_RECEIVER,
    text: "This payment was sealed for another receiver's key, so this till cannot open it.",
  },
  PROTO_SEAL_OPEN_FAILED: {
    title: TAMPERED,
    text: 'The payment could not be opened: it was damaged, changed, or sealed for someone else. Ask the payer to show it again.',
  },
  PROTO_LEDGER_BROKEN: {
    title: 'Ledger altered',
    text: 'An entry of the ledger on this device was changed, so the ledger no longer checks out. Restore a backup and contact the bank before settling.',
  },
  PROTO_LEDGER_INDEX: {
    title: 'Ledger out of order',
    text: 'Ledger entries are missing or numbered out of order. Restore a backup and contact the bank before settling.',
  },
  PROTO_BATCH_HEAD_MISMATCH: {
    title: 'Ledger out of step',
    text: 'The settlement batch does not match the ledger. Settle again so the app rebuilds the batch.',
  },
  PROTO_BATCH_TOO_MANY_ENTRIES: {
    title: 'Batch too large',
    text: 'There are too many payments for one settlement. Settle in several batches.',
  },
  PROTO_RECEIPT_MISMATCH: {
    title: 'Wrong receipt',
    text: 'This receipt is for another payment. Scan the receipt shown for this payment.',
  },
  PROTO_CLOCK_BEHIND: {
    title: 'Device clock is wrong',
    text: "This device's clock is earlier than a bank time already seen. Set the correct date and time, then try again.",
  },
  PROTO_QR_INVALID: {
    title: TAMPERED,
    text: 'This is not an offpay code, or it was misread. Scan it again.',
  },
  PROTO_QR_PART_MISMATCH: {
    title: TAMPERED,
    text: 'A part of another animated code was read. Keep the camera on the same code, or start again.',
  },
  PROTO_QR_CHECKSUM: {
    title: TAMPERED,
    text: 'The animated code did not reassemble correctly. Scan it again from the start.',
  },
  PROTO_FILE_INVALID: {
    title: TAMPERED,
    text: 'This is not an offpay file, or it is damaged. Choose the file the other side gave you.',
  },
  PROTO_FILE_WRONG_TYPE: {
    title: 'Wrong kind of file',
    text: 'This file holds another kind of offpay message. Choose the file that was asked for.',
  },
} satisfies Record<ProtoErrorCode, Words>;

/** Every APP_* code of errors.ts. */
export const APP_WORDS = {
  APP_PASSPHRASE_TOO_SHORT: {
    title: 'Passphrase too short',
    text: 'Use at least 8 characters; a few unrelated words make a good passphrase.',
  },
  APP_WRONG_PASSPHRASE: {
    title: 'Wrong passphrase',
    text: 'That passphrase does not open this wallet or backup. Check it and try again.',
  },
  APP_VAULT_MISSING: {
    title: 'No wallet yet',
    text: 'No keys are stored on this device. Set the app up, or restore a backup.',
  },
  APP_VAULT_LOCKED: {
    title: 'Locked',
    text: 'Enter your passphrase to unlock the keys first.',
  },
  APP_VAULT_DAMAGED: {
    title: 'Stored keys damaged',
    text: 'The keys stored on this device cannot be read. Restore a backup.',
  },
  APP_BACKUP_INVALID: {
    title: 'Not a valid backup',
    text: 'This file is not an offpay backup, or it is damaged. Choose another file.',
  },
  APP_BACKUP_WRONG_APP: {
    title: 'Backup of the other app',
    text: 'This backup belongs to the other offpay app (sender or receiver). Restore it there.',
  },
  APP_STORAGE_FAILED: {
    title: 'Could not save',
    text: "The browser's storage refused the change, so nothing was changed. Free some space or leave private browsing, then try again.",
  },
  APP_OFFLINE: {
    title: 'Bank unreachable',
    text: 'The bank cannot be reached right now. Check the connection and try again; paying offline still works.',
  },
  APP_BANK_RESPONSE: {
    title: 'Unexpected bank answer',
    text: 'The bank answered with something this app does not understand. Try again later, or update the app.',
  },
  APP_BANK_KEYS_UNTRUSTED: {
    title: 'Bank keys not confirmed',
    text: 'The bank presented new keys that its earlier keys did not sign, so this app keeps the keys it trusts. Check the bank address, and set the app up again only if your bank confirms it replaced its keys.',
  },
  APP_CAMERA_UNAVAILABLE: {
    title: 'Camera unavailable',
    text: 'The camera cannot be used. Allow camera access, or scan from a picture or open a file instead.',
  },
  APP_NO_QR_FOUND: {
    title: 'No code found',
    text: 'No offpay QR code was found in the picture. Try a sharper picture with the whole code in view.',
  },
  APP_INPUT_TOO_LARGE: {
    title: 'Too large',
    text: 'The file or text is too large to be an offpay message or backup. Check that it is the right one.',
  },
  APP_NOT_ENROLLED: {
    title: 'Not enrolled',
    text: 'This device has no certificate from the bank yet. Go online and enroll first.',
  },
  APP_MUST_ENROLL_AGAIN: {
    title: 'Enroll again',
    text: 'This wallet was restored from a backup. Go online and enroll again before paying.',
  },
  APP_REQUEST_UNKNOWN: {
    title: 'No matching request',
    text: 'This payment does not answer any open request of this till. Make a request first, then scan the payment for it.',
  },
  APP_PAYER_CAP_EXCEEDED: {
    title: 'Over your limit per customer',
    text: 'Accepting this payment would take this customer past the limit you set for one customer. Refuse it, or raise the limit in the settings.',
  },
  APP_CURRENCY_MISMATCH: {
    title: 'Wrong currency',
    text: "The request is in another currency than this wallet. Ask for a request in the wallet's currency.",
  },
  APP_REQUEST_ALREADY_PAID: {
    title: 'Request already paid',
    text: 'This request was paid already. Make a new request for another payment.',
  },
  APP_WALLET_STATE_CHANGED: {
    title: 'Wallet changed elsewhere',
    text: 'The wallet was changed in another tab or its stored data is damaged. Reload the app; restore a backup if it persists.',
  },
  APP_SET_UP_ELSEWHERE: {
    title: 'Already set up',
    text: 'This app was set up or restored in another tab meanwhile, so nothing was replaced. Reload to open it.',
  },
  APP_PASSPHRASE_MISMATCH: {
    title: 'The passphrases differ',
    text: 'Type the same passphrase in both fields.',
  },
  APP_BANK_URL_INVALID: {
    title: 'Check the bank address',
    text: 'Enter the address your bank gave you, such as https://bank.example.',
  },
  APP_BANK_URL_INSECURE: {
    title: 'The bank address must be secure',
    text: 'Use the https:// address your bank gave you. Plain http:// works only for a bank on this device (localhost).',
  },
} satisfies Record<AppErrorCode, Words>;

/** Words for a value that carries no code this app knows. */
export const UNKNOWN_WORDS: Words = {
  title: 'Something went wrong',
  text: 'Try again. If it keeps happening, reload the app.',
};

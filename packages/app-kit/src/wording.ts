/**
 * Plain words for every code a user can meet (PROTO_*, BANK_*, APP_*): what happened and what to
 * do, in one or two short sentences, never a stack trace or a secret.
 */
import {
  bankDetails,
  type BankCode,
  type BankDetails,
  type EntryCode,
  type ErrorBody,
} from '@offpay/api';
import { isCryptoError, type CryptoErrorCode } from '@offpay/crypto';
import { isAppError, Money, type ProtoErrorCode } from '@offpay/protocol';
import { isBankRefusal, type AppErrorCode } from './errors.js';
import { BANK_WORDS, CRYPTO_WORDS } from './wording-bank.js';
import { APP_WORDS, PROTO_WORDS, UNKNOWN_WORDS, type Words } from './wording-text.js';

type Details = Record<string, unknown>;

/** Every code the apps have words for. */
export type Code = ProtoErrorCode | AppErrorCode | BankCode | CryptoErrorCode;

const TABLES: readonly Record<string, Words>[] = [PROTO_WORDS, APP_WORDS, BANK_WORDS, CRYPTO_WORDS];

/** Why the bank may reject one entry of a batch: a protocol rule, or one of its own two codes. */
const ENTRY_WORDS = {
  ...PROTO_WORDS,
  BANK_UNKNOWN_CERTIFICATE: BANK_WORDS.BANK_UNKNOWN_CERTIFICATE,
  BANK_RESERVE_EXHAUSTED: BANK_WORDS.BANK_RESERVE_EXHAUSTED,
} satisfies Record<EntryCode, Words>;
const KNOWN_PREFIX = /^(PROTO|APP|BANK|CRYPTO)_[A-Z0-9_]+$/;
const MAX_BANK_MESSAGE_CHARS = 300;

function wordsFor(code: string): Words | undefined {
  for (const table of TABLES) if (Object.hasOwn(table, code)) return table[code];
  return undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** "12.50 EUR" when `minor` and `currency` make an amount, else undefined. */
function money(minor: unknown, currency: unknown): string | undefined {
  if (typeof currency !== 'string' || (typeof minor !== 'string' && typeof minor !== 'number'))
    return undefined;
  try {
    return Money.of(minor, currency).toString();
  } catch {
    return undefined;
  }
}

/** `details` as the bank's registry types them for `code`, or null when they do not fit. */
function detailsOf<C extends BankCode>(code: C, details: Details): BankDetails<C> | null {
  // Only `code` and `details` are read; the details are parsed with the registry's schema.
  return bankDetails({ code, message: '', details: details as ErrorBody['details'] }, code);
}

function word(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

/** A ledger index as people count entries: index 0 is entry #1. */
export function entryNumber(index: number): string {
  return `#${index + 1}`;
}

// Texts that say more when details help; each returns undefined to fall back to the default.
const DETAILED: Partial<Record<Code, (d: Details) => string | undefined>> = {
  PROTO_PAYMENT_DUPLICATE: (d) => {
    const index = count(d['index']);
    return index === undefined
      ? undefined
      : `This payment is already in your ledger (entry ${entryNumber(index)}). Nothing was added.`;
  },
  PROTO_PAYMENT_OVER_LIMIT: (d) => {
    const limit = money(d['limitMinor'], d['currency']);
    const spent = money(d['spentMinor'], d['currency']);
    return limit && spent
      ? `This payment would bring the payer to ${spent} of a ${limit} allowance. The payer must go online to sync and renew.`
      : undefined;
  },
  PROTO_BATCH_TOO_MANY_ENTRIES: (d) => {
    const limit = count(d['limit']);
    return limit === undefined
      ? undefined
      : `There are too many payments for one settlement (at most ${limit}). Settle in several batches.`;
  },
  PROTO_FILE_WRONG_TYPE: (d) => {
    const expected = word(d['expected'], /^[a-z][a-z-]{0,31}$/)?.replaceAll('-', ' ');
    const actual = word(d['actual'], /^[a-z][a-z-]{0,31}$/)?.replaceAll('-', ' ');
    return expected && actual
      ? `This file holds a ${actual}, not the ${expected} that was asked for. Choose the right file.`
      : undefined;
  },
  APP_BACKUP_WRONG_APP: (d) => {
    const app = word(d['app'], /^(sender|receiver)$/);
    return app ? `This backup belongs to the offpay ${app} app. Restore it there.` : undefined;
  },
  APP_PAYER_CAP_EXCEEDED: (d) => {
    const cap = money(d['capMinor'], d['currency']);
    return cap
      ? `Accepting this payment would take this customer past your limit of ${cap} per customer. Refuse it, or raise the limit in the settings.`
      : undefined;
  },
  APP_CURRENCY_MISMATCH: (d) => {
    const expected = word(d['expected'], /^[A-Z]{3}$/);
    const actual = word(d['actual'], /^[A-Z]{3}$/);
    return expected && actual
      ? `The request is in ${actual}, but this wallet holds ${expected}. Ask for a request in ${expected}.`
      : undefined;
  },
  BANK_INSUFFICIENT_FUNDS: (d) => {
    // The bank names the amounts; the app adds the currency it asked in (withDetails).
    const amounts = detailsOf('BANK_INSUFFICIENT_FUNDS', d);
    const balance = money(amounts?.balanceMinor, d['currency']);
    const required = money(amounts?.requiredMinor, d['currency']);
    if (!balance) return undefined;
    return required
      ? `You have ${balance} available at the bank, and this needs ${required}. Choose ${balance} or less, or add money first.`
      : `You have ${balance} available at the bank. Choose a smaller amount or add money first.`;
  },
  BANK_RATE_LIMITED: (d) => {
    const seconds = detailsOf('BANK_RATE_LIMITED', d)?.retryAfterSeconds;
    return seconds === undefined
      ? undefined
      : `The bank asks you to slow down. Wait ${seconds} seconds, then try again.`;
  },
  BANK_BATCH_NOT_CONTINUOUS: (d) => {
    const index = detailsOf('BANK_BATCH_NOT_CONTINUOUS', d)?.expectedFromIndex;
    return index === undefined
      ? undefined
      : `The bank expected the settlement to start at ledger entry ${entryNumber(index)}. Settle again so the app rebuilds the batch.`;
  },
  BANK_INTERNAL: (d) => {
    // Quoted to people: only a plain id, whatever else the contract allows.
    const id = word(detailsOf('BANK_INTERNAL', d)?.requestId, /^[A-Za-z0-9_-]{1,64}$/);
    return id
      ? `Something went wrong at the bank. Try again later; if it keeps happening, contact the bank and quote ${id}.`
      : undefined;
  },
};

/** The refusal headline for a code, e.g. PROTO_PAYMENT_DUPLICATE → "Already accepted". */
export function refusalTitle(code: string): string {
  return wordsFor(code)?.title ?? UNKNOWN_WORDS.title;
}

/** The explanation for a code, using details when they help (ledger index, limits). */
export function plainReason(code: string, details?: Record<string, unknown>): string {
  const detailed = Object.hasOwn(DETAILED, code) ? DETAILED[code as Code] : undefined;
  return (details && detailed?.(details)) ?? wordsFor(code)?.text ?? UNKNOWN_WORDS.text;
}

/**
 * Why the bank rejected one entry of a batch, in plain words (`code` as a settlement result
 * carries it; a code newer than this app gets the generic words).
 */
export function entryReason(code: string): string {
  return Object.hasOwn(ENTRY_WORDS, code)
    ? ENTRY_WORDS[code as EntryCode].text
    : UNKNOWN_WORDS.text;
}

/** Code and plain words of any thrown value (ProtocolError, BankRefusal, AppError, or unknown). */
export function describeError(error: unknown): { code: string; title: string; text: string } {
  if (isCryptoError(error) || isAppError(error)) {
    const code = error.code;
    const raw: unknown = 'details' in error ? error.details : undefined;
    const details =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Details) : {};
    if (wordsFor(code))
      return { code, title: refusalTitle(code), text: plainReason(code, details) };
    // A code newer than this app: the bank's own message is written for people.
    if (isBankRefusal(error) && error.message) {
      return {
        code,
        title: 'The bank refused',
        text: error.message.slice(0, MAX_BANK_MESSAGE_CHARS),
      };
    }
    return { code: KNOWN_PREFIX.test(code) ? code : 'UNKNOWN', ...UNKNOWN_WORDS };
  }
  if (error instanceof Error && error.name === 'QuotaExceededError') {
    return { code: 'APP_STORAGE_FAILED', ...APP_WORDS.APP_STORAGE_FAILED };
  }
  return { code: 'UNKNOWN', ...UNKNOWN_WORDS };
}

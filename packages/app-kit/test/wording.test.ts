import { CRYPTO_ERROR_CODES, CryptoError } from '@offpay/crypto';
import { BANK_CODES, ENTRY_CODES } from '@offpay/api';
import { PROTO_ERRORS, ProtocolError } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { APP_ERRORS, AppError, BankRefusal } from '../src/errors.js';
import { describeError, entryReason, plainReason, refusalTitle } from '../src/wording.js';

const PROTO_CODES = Object.keys(PROTO_ERRORS);
const APP_CODES = Object.keys(APP_ERRORS);
const GENERIC = { title: 'Something went wrong', text: plainReason('NO_SUCH_CODE') };

function sentences(text: string): number {
  return text.split(/[.!?](?:\s|$)/).filter((s) => s.trim() !== '').length;
}

describe.each([
  ['PROTO', PROTO_CODES],
  ['APP', APP_CODES],
  ['BANK', [...BANK_CODES]],
  ['CRYPTO', [...CRYPTO_ERROR_CODES]],
])('%s codes', (_prefix, codes) => {
  it('exist', () => {
    expect(codes.length).toBeGreaterThan(4);
  });

  it.each(codes)('%s has its own title and one or two plain sentences', (code) => {
    const title = refusalTitle(code);
    const text = plainReason(code);
    expect(title).not.toBe(GENERIC.title);
    expect(text).not.toBe(GENERIC.text);
    expect(title.length).toBeLessThanOrEqual(32);
    expect(sentences(text)).toBeGreaterThanOrEqual(1);
    expect(sentences(text)).toBeLessThanOrEqual(2);
    expect(text).toMatch(/^[A-Z].*[.]$/);
    expect(`${title} ${text}`).not.toMatch(/[A-Z]+_[A-Z_]+|undefined|\{|\}/);
  });
});

describe('texts', () => {
  it('tell the APP codes apart', () => {
    const texts = APP_CODES.map((c) => plainReason(c));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('tell the PROTO codes apart, even under one title', () => {
    const texts = PROTO_CODES.map((c) => plainReason(c));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('give the receiver refusals their headlines', () => {
    const titles: Record<string, string> = {
      PROTO_PAYMENT_DUPLICATE: 'Already accepted',
      PROTO_PAYMENT_OVER_LIMIT: "Over the payer's allowance",
      PROTO_CERT_REVOKED: 'Payer revoked',
      PROTO_CERT_EXPIRED: 'Certificate expired',
      PROTO_PAYMENT_WRONG_PAYEE: 'Meant for another receiver',
      PROTO_UNKNOWN_RECIPIENT_KEY: 'Meant for another receiver',
      PROTO_SEAL_OPEN_FAILED: 'Damaged or tampered',
      PROTO_SIGNATURE_INVALID: 'Damaged or tampered',
      PROTO_SCHEMA: 'Damaged or tampered',
      PROTO_FILE_INVALID: 'Damaged or tampered',
      APP_PAYER_CAP_EXCEEDED: 'Over your limit per customer',
      PROTO_CLOCK_BEHIND: 'Device clock is wrong',
      APP_OFFLINE: 'Bank unreachable',
    };
    for (const code of PROTO_CODES) {
      if (/^PROTO_(CBOR|QR)_/.test(code)) titles[code] = 'Damaged or tampered';
      if (code.startsWith('PROTO_FRAUD_') && code !== 'PROTO_FRAUD_PROOF_INVALID')
        titles[code] = 'Double spend detected';
    }
    for (const [code, title] of Object.entries(titles))
      expect([code, refusalTitle(code)]).toEqual([code, title]);
  });

  it('use details when they help', () => {
    expect(plainReason('PROTO_PAYMENT_DUPLICATE', { paymentId: 'ab', index: 3 })).toBe(
      'This payment is already in your ledger (entry #4). Nothing was added.',
    );
    expect(plainReason('PROTO_PAYMENT_DUPLICATE', { index: 'three' })).toBe(
      plainReason('PROTO_PAYMENT_DUPLICATE'),
    );
    expect(
      plainReason('PROTO_PAYMENT_OVER_LIMIT', {
        limitMinor: '1000',
        spentMinor: '1250',
        currency: 'EUR',
      }),
    ).toContain('12.50 EUR of a 10.00 EUR allowance');
    expect(plainReason('APP_PAYER_CAP_EXCEEDED', { capMinor: 500, currency: 'EUR' })).toContain(
      '5.00 EUR',
    );
    expect(plainReason('APP_BACKUP_WRONG_APP', { app: 'receiver' })).toContain('receiver app');
    expect(plainReason('BANK_RATE_LIMITED', { limit: 5, retryAfterSeconds: 30 })).toContain(
      'Wait 30 seconds',
    );
    expect(plainReason('BANK_INTERNAL', { requestId: 'req-42' })).toContain('req-42');
    // The bank names the balance; the app adds the currency it asked in.
    expect(
      plainReason('BANK_INSUFFICIENT_FUNDS', {
        accountId: '3b0c1f3e-2a1d-4c55-9a53-6f0f8f7a1e11',
        balanceMinor: '1500',
        requiredMinor: '2000',
        currency: 'EUR',
      }),
    ).toBe(
      'You have 15.00 EUR available at the bank, and this needs 20.00 EUR. Choose 15.00 EUR or less, or add money first.',
    );
    expect(
      plainReason('BANK_BATCH_NOT_CONTINUOUS', { expectedFromIndex: 0, expectedPrevHead: '' }),
    ).toContain('ledger entry #1.');
    expect(plainReason('BANK_INTERNAL', { requestId: '<script>' })).not.toContain('<script>');
  });

  it("reads the bank's details only in the shape its registry gives them", () => {
    // Off the registry's shape (a negative wait, a count as text, a missing head): the default.
    expect(plainReason('BANK_RATE_LIMITED', { limit: 5, retryAfterSeconds: -1 })).toBe(
      plainReason('BANK_RATE_LIMITED'),
    );
    expect(plainReason('BANK_RATE_LIMITED', { limit: 5, retryAfterSeconds: '30' })).toBe(
      plainReason('BANK_RATE_LIMITED'),
    );
    expect(plainReason('BANK_BATCH_NOT_CONTINUOUS', { expectedFromIndex: 3 })).toBe(
      plainReason('BANK_BATCH_NOT_CONTINUOUS'),
    );
    expect(
      plainReason('BANK_INSUFFICIENT_FUNDS', {
        accountId: 'a',
        balanceMinor: '-5',
        requiredMinor: '2000',
        currency: 'EUR',
      }),
    ).toBe(plainReason('BANK_INSUFFICIENT_FUNDS'));
    expect(
      plainReason('PROTO_FILE_WRONG_TYPE', { expected: 'payment', actual: 'receipt' }),
    ).toContain('holds a receipt, not the payment');
  });
});

describe('entryReason', () => {
  it.each(ENTRY_CODES.filter((c) => c !== ''))('has words for entry code %s', (code) => {
    expect(entryReason(code)).toBe(plainReason(code));
    expect(entryReason(code)).not.toBe(GENERIC.text);
  });

  it('gives a code newer than the app the generic words', () => {
    expect(entryReason('BANK_NEWER_RULE')).toBe(GENERIC.text);
    expect(entryReason('toString')).toBe(GENERIC.text);
  });
});

describe('describeError', () => {
  it('reads protocol, crypto, app and bank errors', () => {
    const duplicate = new ProtocolError('PROTO_PAYMENT_DUPLICATE', 'dev text', {
      paymentId: 'ab',
      index: 7,
    });
    expect(describeError(duplicate)).toEqual({
      code: 'PROTO_PAYMENT_DUPLICATE',
      title: 'Already accepted',
      text: 'This payment is already in your ledger (entry #8). Nothing was added.',
    });
    expect(describeError(new CryptoError('CRYPTO_AEAD_AUTH_FAILED', 'tag mismatch'))).toMatchObject(
      {
        code: 'CRYPTO_AEAD_AUTH_FAILED',
        title: 'Damaged or tampered',
      },
    );
    expect(describeError(new AppError('APP_OFFLINE'))).toMatchObject({ title: 'Bank unreachable' });
    expect(
      describeError(
        new BankRefusal('BANK_RATE_LIMITED', 'Too many', 429, { limit: 5, retryAfterSeconds: 5 }),
      ),
    ).toMatchObject({ code: 'BANK_RATE_LIMITED', text: expect.stringContaining('Wait 5 seconds') });
    expect(
      describeError(new BankRefusal('PROTO_SIGNATURE_INVALID', 'bad batch', 400)),
    ).toMatchObject({
      title: 'Damaged or tampered',
    });
  });

  it("shows a newer bank code with the bank's own words", () => {
    const e = new BankRefusal('BANK_SOMETHING_NEW', 'The bank is closed on Sundays.', 409);
    expect(describeError(e)).toEqual({
      code: 'BANK_SOMETHING_NEW',
      title: 'The bank refused',
      text: 'The bank is closed on Sundays.',
    });
  });

  it('says nothing about the internals of anything else', () => {
    const values: unknown[] = [
      new Error('ENOENT /home/alice/secret-key.pem'),
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      'a string',
      undefined,
      null,
      42,
      { code: 42 },
      { code: 'ERR_INTERNAL_ASSERTION', message: 'stack at /src/x.ts:1' },
    ];
    for (const value of values) {
      const words = describeError(value);
      expect(words).toEqual({ code: 'UNKNOWN', title: 'Something went wrong', text: GENERIC.text });
    }
  });
});

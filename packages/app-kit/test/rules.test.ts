import { describe, expect, it } from 'vitest';
import {
  bankUrl,
  checkNewPassphrase,
  DEFAULT_BANK_URL,
  defaultBankUrl,
  normalizeBankUrl,
} from '../src/rules.js';
import { freshDb } from './support/schema.js';

const codeOf = (run: () => unknown): unknown => {
  try {
    run();
    return 'accepted';
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
};

describe('normalizeBankUrl', () => {
  it('keeps an http(s) address, trimmed and without trailing slashes', () => {
    expect(normalizeBankUrl(' https://bank.example/ ')).toBe('https://bank.example');
    expect(normalizeBankUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeBankUrl('https://bank.example/api//')).toBe('https://bank.example/api');
  });

  it.each([
    'javascript:alert(1)',
    'https://user:pw@bank.example',
    'https://bank.example/?token=1',
    'https://bank.example/#x',
    'bank',
    '',
    `https://bank.example/${'a'.repeat(2100)}`,
  ])('refuses %j with APP_BANK_URL_INVALID', (text) => {
    expect(codeOf(() => normalizeBankUrl(text))).toBe('APP_BANK_URL_INVALID');
  });

  // Regression (issue #12): an http:// bank on another machine was accepted.
  it.each(['http://bank.example', 'http://192.168.1.20:8787', 'http://10.0.0.1', 'http://[::2]'])(
    'refuses the plain-http address %j with APP_BANK_URL_INSECURE',
    (text) => {
      expect(codeOf(() => normalizeBankUrl(text))).toBe('APP_BANK_URL_INSECURE');
    },
  );

  it.each(['http://localhost:8787', 'http://127.0.0.1:8787', 'http://[::1]:8787'])(
    'keeps the plain-http address %j of a bank on this device',
    (text) => {
      expect(normalizeBankUrl(text)).toBe(text);
    },
  );

  it('reads the stored address back under the same rule, else the default', async () => {
    const db = await freshDb();
    expect(await bankUrl(db)).toBe(defaultBankUrl());
    await db.write([{ put: 'meta', key: 'bankUrl', value: 'https://bank.example' }]);
    expect(await bankUrl(db)).toBe('https://bank.example');
    await db.write([{ put: 'meta', key: 'bankUrl', value: 'ftp://bank.example' }]);
    expect(await bankUrl(db)).toBe(defaultBankUrl());
    // An insecure address stored by an older version is not used either.
    await db.write([{ put: 'meta', key: 'bankUrl', value: 'http://bank.example' }]);
    expect(await bankUrl(db)).toBe(defaultBankUrl());
  });
});

describe('defaultBankUrl', () => {
  it("is the page's own origin when the bank serves the app (one origin)", () => {
    expect(defaultBankUrl('https://192.168.1.20:8443', undefined)).toBe(
      'https://192.168.1.20:8443',
    );
    expect(defaultBankUrl('https://pay.example', '')).toBe('https://pay.example');
  });

  it('prefers the address given at build time (VITE_BANK_URL)', () => {
    expect(defaultBankUrl('https://pay.example', 'https://bank.example/')).toBe(
      'https://bank.example',
    );
  });

  it('falls back to the local bank for a page without a web origin or a bad build setting', () => {
    expect(defaultBankUrl('null', undefined)).toBe(DEFAULT_BANK_URL);
    expect(defaultBankUrl(undefined, 'ftp://bank.example')).toBe(DEFAULT_BANK_URL);
    expect(defaultBankUrl('file://', 'javascript:alert(1)')).toBe(DEFAULT_BANK_URL);
  });
});

describe('checkNewPassphrase', () => {
  it('needs 8 characters, counted as people see them', () => {
    expect(codeOf(() => checkNewPassphrase('short'))).toBe('APP_PASSPHRASE_TOO_SHORT');
    expect(codeOf(() => checkNewPassphrase('😀😀😀😀😀😀😀'))).toBe('APP_PASSPHRASE_TOO_SHORT');
    expect(codeOf(() => checkNewPassphrase('eight ch'))).toBe('accepted');
  });

  it('with the repetition, needs both typed the same', () => {
    expect(codeOf(() => checkNewPassphrase('market stall 42', 'market stall 43'))).toBe(
      'APP_PASSPHRASE_MISMATCH',
    );
    expect(codeOf(() => checkNewPassphrase('market stall 42', 'market stall 42'))).toBe('accepted');
    expect(codeOf(() => checkNewPassphrase('short', 'other'))).toBe('APP_PASSPHRASE_TOO_SHORT');
  });
});

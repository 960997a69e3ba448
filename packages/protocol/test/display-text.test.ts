/**
 * Display text (docs/protocol.md §3): a payee's display name and a request's memo refuse the same
 * invisible or layout-changing code points — controls, format characters, surrogates, private use,
 * line and paragraph separators — from one fixed list, so that every party agrees on the bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePayeeCertificate,
  decodePaymentRequest,
  encodeCertificate,
  encodePaymentRequest,
  isDisplayText,
  issuePayeeCertificate,
  LIMITS,
  signPaymentRequest,
} from '../src/index.js';
import { expectCode, makeBank, makePayee, NOW, REQUEST_ID, rewriteTbs } from './helpers.js';

const bank = makeBank();
const payee = makePayee(bank);
const { serial, signKey, kemKey, currency, expiresAt } = payee.cert;
const payeeFields = { serial, signKey, kemKey, currency, expiresAt };

/** Code points a reader could be misled by, each named by what it does. */
const refused: [string, string][] = [
  ['\u202E', 'U+202E right-to-left override: "Bob" reads backwards'],
  ['\u202A', 'U+202A left-to-right embedding'],
  ['\u2066', 'U+2066 left-to-right isolate'],
  ['\u200B', 'U+200B zero width space: two names that look equal'],
  ['\u200D', 'U+200D zero width joiner'],
  ['\u00AD', 'U+00AD soft hyphen'],
  ['\uFEFF', 'U+FEFF zero width no-break space (a byte-order mark)'],
  ['\u0085', 'U+0085 next line (a C1 control)'],
  ['\u0000', 'U+0000'],
  ['\n', 'U+000A line feed'],
  ['\u007F', 'U+007F delete'],
  ['\u2028', 'U+2028 line separator'],
  ['\u2029', 'U+2029 paragraph separator'],
  ['\uE000', 'U+E000 private use: a different glyph on every platform'],
  ['\u{F0000}', 'U+F0000 supplementary private use'],
  ['\u{E0041}', 'U+E0041 tag latin capital A (invisible)'],
];

/** Text every party must accept: scripts, emoji, a newly assigned or unassigned code point. */
const accepted = ['Café Müller', '寿司 🍣', 'Ανδρέας', 'Bob’s Market', 'a\u0378b', 'x'.repeat(64)];

describe('display text', () => {
  it.each(refused)('refuses %j in a display name and in a memo (%s)', (c) => {
    expect(isDisplayText(`Bob${c}s`, 64, 1)).toBe(false);
    expectCode(
      () => issuePayeeCertificate({ ...payeeFields, displayName: `Bob${c}s` }, bank.signSk),
      'PROTO_SCHEMA',
    );
    expectCode(
      () =>
        signPaymentRequest(
          { amount: 1, requestId: REQUEST_ID, expiresAt: NOW, memo: `table${c}4` },
          payee.cert,
          payee.signSk,
        ),
      'PROTO_SCHEMA',
    );
  });

  it.each(accepted)('accepts %j as a display name and as a memo', (text) => {
    expect(isDisplayText(text, 64, 1)).toBe(true);
    const cert = issuePayeeCertificate({ ...payeeFields, displayName: text }, bank.signSk);
    expect(decodePayeeCertificate(encodeCertificate(cert)).displayName).toBe(text);
    const request = signPaymentRequest(
      { amount: 1, requestId: REQUEST_ID, expiresAt: NOW, memo: text },
      payee.cert,
      payee.signSk,
    );
    expect(decodePaymentRequest(encodePaymentRequest(request)).memo).toBe(text);
  });

  it('refuses a lone surrogate: not text, and never encoded (it would become U+FFFD)', () => {
    expect(isDisplayText('Bob\uD800s', 64, 1)).toBe(false);
    expect(() =>
      issuePayeeCertificate({ ...payeeFields, displayName: 'Bob\uD800s' }, bank.signSk),
    ).toThrow(RangeError);
    expect(isDisplayText('Bob\u{1F363}s', 64, 1)).toBe(true);
  });

  it('counts UTF-8 bytes: a display name is 1 to 64 bytes, a memo 0 to 64', () => {
    expect(isDisplayText('€'.repeat(21), LIMITS.displayNameBytes, 1)).toBe(true);
    expect(isDisplayText('€'.repeat(22), LIMITS.displayNameBytes, 1)).toBe(false);
    expect(isDisplayText('', LIMITS.displayNameBytes, 1)).toBe(false);
    expect(isDisplayText('', LIMITS.memoBytes)).toBe(true);
  });

  it('refuses a received request whose memo carries a format character, even though it was signed', () => {
    const good = signPaymentRequest(
      { amount: 1, requestId: REQUEST_ID, expiresAt: NOW, memo: 'table 4' },
      payee.cert,
      payee.signSk,
    );
    const spoofed = rewriteTbs(encodePaymentRequest(good), (items) => [
      ...items.slice(0, 5),
      'table \u202E4',
    ]);
    expectCode(() => decodePaymentRequest(spoofed), 'PROTO_SCHEMA');
  });
});

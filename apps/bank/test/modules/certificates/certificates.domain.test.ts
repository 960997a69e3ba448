/** The certificate lifecycle's pure rules and the CSV encoding, without a database. */
import { GRACE_SECONDS } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { isBankError } from '../../../src/errors.js';
import { csvCell, settlementsCsv } from '../../../src/modules/certificates/certificates.csv.js';
import {
  acceptChallenge,
  certifiableDisplayName,
  certificateExpiry,
  checkRevocationInput,
  encodeChallengeRecord,
  reserveReleasable,
  reserveRemaining,
  statusAfter,
} from '../../../src/modules/certificates/certificates.domain.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isBankError(e) ? e.code : 'not a bank error';
  }
};

describe('enrollment challenges', () => {
  const challenge = new Uint8Array(32).fill(9);
  const stored = encodeChallengeRecord({ userId: 'u1', challenge, expiresAtMs: 1_000 });

  it('grants the challenge to its user before it expires, and to nobody else', () => {
    expect(acceptChallenge(stored, 'u1', 999)).toEqual(challenge);
    for (const [value, user, now] of [
      [stored, 'u2', 0],
      [stored, 'u1', 1_000],
      [null, 'u1', 0],
      ['not json', 'u1', 0],
      ['{"u":"u1","c":"!!","e":5000}', 'u1', 0],
      ['{"u":"u1","c":"AA","e":"5000"}', 'u1', 0],
    ] as const) {
      expect(code(() => acceptChallenge(value, user, now))).toBe('BANK_CHALLENGE_INVALID');
    }
  });
});

describe('expiry and the reserve', () => {
  it('gives whole-second expiry times within the 32-bit wire time', () => {
    expect(certificateExpiry(new Date('2030-01-01T00:00:00.999Z'), 60)).toBe(1_893_456_060);
    expect(() => certificateExpiry(new Date('2106-02-07T06:28:00Z'), 86_400)).toThrow(RangeError);
  });

  it('releases only after the last second in which settlement still accepts', () => {
    const expiresAt = new Date('2030-01-08T00:00:00Z');
    const at = (s: number) => new Date(expiresAt.getTime() + s * 1000);
    expect(reserveReleasable(expiresAt, at(GRACE_SECONDS))).toBe(false);
    expect(reserveReleasable(expiresAt, at(GRACE_SECONDS + 0.999))).toBe(false);
    expect(reserveReleasable(expiresAt, at(GRACE_SECONDS + 1))).toBe(true);
  });

  it('keeps limit − min(limit, settled) until released', () => {
    const r = (settled: bigint, releasedAt: Date | null = null) =>
      reserveRemaining({ limit: 1_000n, settled, releasedAt });
    expect(r(0n)).toBe(1_000n);
    expect(r(300n)).toBe(700n);
    expect(r(1_000n)).toBe(0n);
    expect(r(1_500n)).toBe(0n);
    expect(r(300n, new Date())).toBe(0n);
  });
});

describe('revocation', () => {
  it('never softens a revocation and lets fraud override a close', () => {
    expect(statusAfter('active', 'closed')).toBe('closed');
    expect(statusAfter('revoked', 'closed')).toBe('revoked');
    expect(statusAfter('closed', 'fraud')).toBe('revoked');
    expect(statusAfter('active', 'compromised')).toBe('revoked');
  });

  it('requires a fraud proof exactly for fraud', () => {
    expect(() => checkRevocationInput('fraud', 1n)).not.toThrow();
    expect(() => checkRevocationInput('closed')).not.toThrow();
    expect(() => checkRevocationInput('fraud')).toThrow(TypeError);
    expect(() => checkRevocationInput('closed', 1n)).toThrow(TypeError);
  });
});

describe('display names in payee certificates', () => {
  it('accepts 64 UTF-8 bytes and refuses more, or format characters', () => {
    expect(certifiableDisplayName('é'.repeat(32))).toBe('é'.repeat(32));
    for (const name of ['é'.repeat(33), '', 'Bob\u202Eevil'])
      expect(code(() => certifiableDisplayName(name))).toBe('BANK_DISPLAY_NAME_UNUSABLE');
  });
});

describe('CSV export', () => {
  it('quotes delimiters and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const start of ['+', '-', '@', '\t', '\r'])
      expect(csvCell(`${start}1`).includes(`'${start}1`)).toBe(true);
    expect(csvCell('-5')).toBe("'-5");
  });

  it('writes a header and one CRLF line per payment', () => {
    const csv = settlementsCsv([
      {
        settledAt: new Date('2030-01-01T00:00:00Z'),
        paymentId: 'ab'.repeat(32),
        payerSerial: 7,
        counter: 1,
        amount: 2n ** 53n - 1n,
        currency: 'EUR',
        payeeSerial: 8,
      },
    ]);
    expect(csv).toBe(
      'settled_at,payment_id,payer_serial,counter,amount_minor,currency,payee_serial\r\n' +
        `2030-01-01T00:00:00.000Z,${'ab'.repeat(32)},7,1,9007199254740991,EUR,8\r\n`,
    );
  });
});

/**
 * The request form and open requests (src/state/requests.ts): amounts in the till's currency,
 * the memo bound of the protocol, and a signed request the payer's app accepts.
 */
import {
  bankKeySet,
  decodePaymentRequest,
  encodePaymentRequest,
  LIMITS,
  verifyPaymentRequest,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  findRequest,
  latestOpenRequest,
  parseRequestInput,
  REQUEST_TTL_SECONDS,
} from '../src/state/requests.js';
import { accept, makeTill, NOW, request, sealFor, TestPayer } from './helpers.js';

describe('the request form', () => {
  it('reads amounts in minor units of the till currency', () => {
    const ok = parseRequestInput('2.50', ' Coffee ', 'EUR');
    expect(ok).toMatchObject({ ok: true, memo: 'Coffee' });
    expect(ok.ok && ok.amount.minor).toBe(250);
    expect(parseRequestInput('3', '', 'JPY')).toMatchObject({ ok: true });
  });

  it('refuses what is not a positive amount, in plain words', () => {
    for (const text of ['', 'abc', '2.505', '-1', '0', '0.00', '1e3']) {
      const result = parseRequestInput(text, '', 'EUR');
      expect(result.ok, text).toBe(false);
      expect(!result.ok && result.field).toBe('amount');
    }
  });

  it('keeps the memo within the protocol bound and free of control characters', () => {
    expect(parseRequestInput('1.00', 'é'.repeat(LIMITS.memoBytes / 2), 'EUR').ok).toBe(true);
    const long = parseRequestInput('1.00', 'é'.repeat(LIMITS.memoBytes / 2 + 1), 'EUR');
    expect(long).toMatchObject({ ok: false, field: 'memo' });
    expect(parseRequestInput('1.00', 'a\tb', 'EUR')).toMatchObject({ ok: false, field: 'memo' });
  });
});

describe('open requests', () => {
  it('are signed so that the payer can verify them, and expire after 15 minutes', async () => {
    const t = await makeTill();
    const r = await request(t, '2.50', 'Coffee');
    const decoded = decodePaymentRequest(encodePaymentRequest(r));
    expect(() => verifyPaymentRequest(decoded, bankKeySet([t.bank.signPk]), NOW)).not.toThrow();
    expect(decoded).toMatchObject({
      amount: 250,
      memo: 'Coffee',
      expiresAt: NOW + REQUEST_TTL_SECONDS,
    });
    expect(decoded.payeeCert.displayName).toBe("Bob's Market");
  });

  it('are offered again after a reload until paid or expired', async () => {
    const t = await makeTill();
    await request(t, '1.00');
    const latest = await request(t, '2.00');
    expect((await latestOpenRequest(t.db, NOW))?.amount).toBe(200);
    expect(await latestOpenRequest(t.db, NOW + REQUEST_TTL_SECONDS + 1)).toBeUndefined();
    await accept(t, latest, sealFor(t, new TestPayer(t.bank).pay(latest)));
    // Paid; and the 1.00 request was closed when the 2.00 one was made.
    expect(await latestOpenRequest(t.db, NOW)).toBeUndefined();
    expect((await findRequest(t.db, latest.requestId))?.request).toMatchObject({
      status: 'paid',
      paidIndex: 0,
    });
    expect((await t.db.all('requests')).map((r) => r.status).sort()).toEqual(['closed', 'paid']);
  });
});

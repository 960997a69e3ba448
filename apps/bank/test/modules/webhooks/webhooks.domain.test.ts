/**
 * The pure rules of merchant webhooks (docs/webhooks.md): the Offpay-Signature a receiver checks
 * (cross-checked with node:crypto as the docs' example does it), the retry schedule, and which
 * URLs the bank calls.
 */
import { createHmac } from 'node:crypto';
import { isBankError } from '../../../src/errors.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  boundedError,
  checkWebhookUrl,
  DEFAULT_RETRY,
  eventBody,
  judgeAttempt,
} from '../../../src/modules/webhooks/webhooks.domain.js';
import {
  signatureHeader,
  verifySignature,
} from '../../../src/modules/webhooks/webhooks.signature.js';

const SECRET = 'whsec_test-secret-0123456789';
const T = 1_765_000_000;
const BODY = eventBody({
  id: '6f1f3c2e-8d5b-4c1a-9f0e-2a7b3c4d5e6f',
  type: 'refund.created',
  createdAt: new Date('2026-12-06T03:00:00Z'),
  data: { refundId: 'r1', amountMinor: '250', currency: 'EUR' },
});

describe('Offpay-Signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as node:crypto computes it', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader(SECRET, T, BODY)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies within the tolerance and not outside it', () => {
    const header = signatureHeader(SECRET, T, BODY);
    expect(verifySignature(SECRET, header, BODY, T + 299)).toBe(true);
    expect(verifySignature(SECRET, header, BODY, T - 299)).toBe(true);
    expect(verifySignature(SECRET, header, BODY, T + 301)).toBe(false);
  });

  it('fails for a tampered body, another secret, a changed t or a mangled header', () => {
    const header = signatureHeader(SECRET, T, BODY);
    expect(verifySignature(SECRET, header, BODY.replace('250', '2500'), T)).toBe(false);
    expect(verifySignature(`${SECRET}x`, header, BODY, T)).toBe(false);
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, T)).toBe(false);
    for (const bad of ['', 'v1=00', `t=${T}`, `t=${T},v1=zz`, `t=x,v1=${'0'.repeat(64)}`]) {
      expect(verifySignature(SECRET, bad, BODY, T)).toBe(false);
    }
  });

  it('any one changed character of the body fails (property)', () => {
    const header = signatureHeader(SECRET, T, BODY);
    fc.assert(
      fc.property(fc.nat(BODY.length - 1), fc.string({ minLength: 1, maxLength: 1 }), (i, c) => {
        fc.pre(BODY[i] !== c);
        const changed = BODY.slice(0, i) + c + BODY.slice(i + 1);
        return !verifySignature(SECRET, header, changed, T);
      }),
      { numRuns: 200 },
    );
  });
});

describe('retry schedule', () => {
  it('is 10 s, 30 s, 90 s, … capped at one hour, each within ±20 % jitter', () => {
    const plain = [1, 2, 3, 4, 5, 6, 7, 9].map((n) => backoffMs(n, DEFAULT_RETRY, 0.5));
    expect(plain).toEqual([
      10_000, 30_000, 90_000, 270_000, 810_000, 2_430_000, 3_600_000, 3_600_000,
    ]);
    expect(backoffMs(1, DEFAULT_RETRY, 0)).toBe(8_000);
    expect(backoffMs(1, DEFAULT_RETRY, 0.999_999)).toBe(12_000);
    expect(() => backoffMs(0, DEFAULT_RETRY, 0.5)).toThrow(RangeError);
  });

  it('delivers on a 2xx, retries anything else, gives up after the last attempt', () => {
    const policy = { ...DEFAULT_RETRY, maxAttempts: 3 };
    expect(judgeAttempt(204, 3, policy, 0.5)).toEqual({ status: 'delivered' });
    expect(judgeAttempt(500, 1, policy, 0.5)).toEqual({ status: 'pending', delayMs: 10_000 });
    expect(judgeAttempt(302, 2, policy, 0.5)).toEqual({ status: 'pending', delayMs: 30_000 });
    expect(judgeAttempt(null, 2, policy, 0.5)).toEqual({ status: 'pending', delayMs: 30_000 });
    expect(judgeAttempt(500, 3, policy, 0.5)).toEqual({ status: 'failed' });
  });

  it('keeps errors to one bounded line', () => {
    expect(boundedError('a\nb\u0000c')).toBe('a b c');
    expect(boundedError('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('webhook URLs', () => {
  const reason = (url: string, allow = false) => {
    try {
      checkWebhookUrl(url, allow);
      return 'ok';
    } catch (err) {
      if (!isBankError(err, 'BANK_WEBHOOK_URL_INVALID')) throw err;
      return (err.details as { reason: string }).reason;
    }
  };

  it('takes public https URLs', () => {
    expect(checkWebhookUrl('https://shop.example/hooks?x=1', false)).toBe(
      'https://shop.example/hooks?x=1',
    );
  });

  it('refuses http, credentials, fragments, private addresses and non-URLs', () => {
    expect(reason('http://shop.example/hooks')).toBe('scheme');
    expect(reason('ftp://shop.example/hooks')).toBe('scheme');
    expect(reason('https://user:pw@shop.example/')).toBe('credentials');
    expect(reason('https://shop.example/#x')).toBe('fragment');
    expect(reason('not a url')).toBe('format');
    for (const host of [
      '127.0.0.1',
      '10.1.2.3',
      '192.168.0.1',
      '172.20.0.1',
      '169.254.169.254',
      '[::1]',
      '[fd00::1]',
      'localhost',
      '0x7f.1',
    ]) {
      expect(reason(`https://${host}/hooks`), host).toBe('private');
    }
  });

  it('takes http://localhost and 127.0.0.1 only when allowed', () => {
    expect(reason('http://127.0.0.1:8080/hooks')).toBe('scheme');
    expect(reason('http://localhost:8080/hooks', true)).toBe('ok');
    expect(reason('http://127.0.0.1:8080/hooks', true)).toBe('ok');
    expect(reason('http://10.0.0.1/hooks', true)).toBe('scheme');
  });
});

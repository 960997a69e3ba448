/**
 * What the console says from the bank's answers: the activity figures, a revocation's warning
 * before it is confirmed, a fraud proof's two payments side by side, and a reconciliation's verdict.
 */
import { describe, expect, it } from 'vitest';
import { activityFigures, liveWords, type Snapshot } from '../src/screens/activity.js';
import { revokeWarning } from '../src/screens/certificates.js';
import { recovered, sideBySide } from '../src/screens/fraud.js';
import { reconcileWords } from '../src/screens/reconcile.js';
import { lastAttempt } from '../src/screens/webhooks.js';

const snapshot: Snapshot = {
  at: '2026-12-06T03:00:00.000Z',
  intervalSeconds: 5,
  settlementsLastMinute: [{ currency: 'EUR', count: 3, valueMinor: '1250' }],
  reservesOutstanding: [{ currency: 'EUR', valueMinor: '200000' }],
  fraudProofs: { last24h: 1, total: 4 },
  revocations: { last24h: 0, total: 2 },
  database: 'ok',
  redis: 'down',
};

describe('live activity', () => {
  it('says each figure in words, money exactly', () => {
    expect(Object.fromEntries(activityFigures(snapshot))).toEqual({
      'Settlements in the last minute': '3 (12.50 EUR)',
      'Reserves outstanding': '2000.00 EUR',
      'Fraud proofs': '1 in 24 h · 4 in all',
      Revocations: '0 in 24 h · 2 in all',
      Database: 'OK',
      Redis: 'Down',
      'As of': '2026-12-06 03:00:00 UTC',
    });
    const quiet = { ...snapshot, settlementsLastMinute: [], redis: 'not-configured' as const };
    expect(activityFigures(quiet)[0]![1]).toBe('None');
    expect(activityFigures(quiet)[5]![1]).toBe('Not configured (in-process)');
  });

  it('says when it reconnects, and why', () => {
    expect(liveWords({ state: 'waiting', retryInMs: 3900, error: undefined })).toMatchObject({
      title: 'Reconnecting in 4 s',
      text: 'The stream ended.',
    });
    expect(liveWords({ state: 'open' }).title).toBe('Live');
  });
});

const certificate = {
  serial: '12',
  kind: 'payer' as const,
  status: 'active' as const,
  revocation: null,
  owner: {
    userId: '6f1c1f3e-8d3a-4c38-9a55-1f2a3b4c5d6e',
    email: 'alice@example.com',
    accountId: '7f1c1f3e-8d3a-4c38-9a55-1f2a3b4c5d6e',
  },
  displayName: null,
  currency: 'EUR',
  limitMinor: '2000',
  settledMinor: '250',
  issuedAt: '2026-12-06T03:00:00.000Z',
  expiresAt: '2026-12-13T03:00:00.000Z',
  closedAt: null,
};

describe('revoking', () => {
  it('warns what a payer or a payee revocation does before the confirm step', () => {
    const payer = revokeWarning(certificate, 'compromised');
    expect(payer).toContain("Revoke certificate #12 (alice@example.com's wallet) as compromised?");
    expect(payer).toContain('signed revocation list is published');
    expect(payer).toContain('cannot be undone');
    const payee = revokeWarning(
      { ...certificate, kind: 'payee', displayName: "Bob's Market" },
      'closed',
    );
    expect(payee).toContain("the till of Bob's Market");
    expect(payee).toContain('no longer accepted for settlement');
  });
});

const payment = {
  paymentId: 'aa'.repeat(32),
  payerSerial: '12',
  counter: 3,
  prev: 'bb'.repeat(32),
  payeeKid: '0123456789abcdef',
  payeeSerial: '7',
  payeeName: "Bob's Market",
  amountMinor: '1500',
  spentMinor: '1750',
  currency: 'EUR',
  createdAt: '2026-12-06T03:00:00.000Z',
  status: 'settled' as const,
  settledAt: '2026-12-06T03:10:00.000Z',
};

describe('fraud proofs', () => {
  it('line the two payments up field by field', () => {
    const second = {
      ...payment,
      paymentId: 'cc'.repeat(32),
      payeeName: null,
      status: 'unknown' as const,
      settledAt: null,
    };
    const rows = Object.fromEntries(sideBySide(payment, second).map(([k, a, b]) => [k, [a, b]]));
    expect(rows['Counter']).toEqual(['3', '3']);
    expect(rows['Previous payment']).toEqual(['bb'.repeat(32), 'bb'.repeat(32)]);
    expect(rows['Payee']).toEqual(["Bob's Market (#7)", 'kid 0123456789abcdef']);
    expect(rows['Amount']).toEqual(['15.00 EUR', '15.00 EUR']);
    expect(rows['At the bank']).toEqual(['settled 2026-12-06 03:10:00 UTC', 'unknown']);
  });

  it('say what was recovered and what the bank bears', () => {
    const r = Object.fromEntries(
      recovered({
        currency: 'EUR',
        limitMinor: '2000',
        settledMinor: '3000',
        reserveUsedMinor: '2000',
        beyondReserveMinor: '1000',
        recoveredFromBalanceMinor: '600',
        unrecoveredMinor: '400',
      }),
    );
    expect(r['Settled beyond the reserve']).toBe('10.00 EUR');
    expect(r['Not recovered (the bank bears it)']).toBe('4.00 EUR');
  });
});

describe('reconciliation', () => {
  const base = {
    checkedAt: '2026-12-06T03:00:00.000Z',
    checked: { certificates: 1, settlements: 1, payments: 1, proofs: 0, deposits: 1, payouts: 1 },
    findingsTruncated: false,
  };
  it('says the books agree, or how many findings there are', () => {
    expect(reconcileWords({ ...base, ok: true, findings: [] }).title).toBe('The books agree ✓');
    const finding = { code: 'LEDGER_UNBALANCED', detail: 'x', rowCount: 1, rows: [] };
    const bad = reconcileWords({
      ...base,
      ok: false,
      findings: [finding],
      findingsTruncated: true,
    });
    expect(bad).toMatchObject({ ok: false, title: '1 finding (more not shown)' });
  });
});

describe('webhook deliveries', () => {
  const delivery = {
    cursor: '9',
    eventId: '6f1c1f3e-8d3a-4c38-9a55-1f2a3b4c5d6e',
    endpointId: '7f1c1f3e-8d3a-4c38-9a55-1f2a3b4c5d6e',
    type: 'settlement.settled' as const,
    status: 'pending' as const,
    attempts: 0,
    createdAt: '2026-12-06T03:00:00.000Z',
    nextAttemptAt: '2026-12-06T03:00:10.000Z',
    lastAttemptAt: null,
    lastStatusCode: null,
    lastError: null,
    deliveredAt: null,
    userId: '8f1c1f3e-8d3a-4c38-9a55-1f2a3b4c5d6e',
    url: 'https://shop.example/hooks',
  };
  it("say the last attempt's answer, or that none was made", () => {
    expect(lastAttempt(delivery)).toBe('not tried yet');
    const at = '2026-12-06T03:00:10.000Z';
    expect(lastAttempt({ ...delivery, lastAttemptAt: at, lastStatusCode: 503 })).toBe(
      'HTTP 503 at 2026-12-06 03:00:10 UTC',
    );
    expect(lastAttempt({ ...delivery, lastAttemptAt: at, lastError: 'timed out' })).toBe(
      'timed out at 2026-12-06 03:00:10 UTC',
    );
  });
});

import { fromHex } from '@offpay/crypto';
import { GRACE_SECONDS, encodeRevocationList, signRevocationList } from '@offpay/protocol';
import { trustedNow, type PayerSync } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../src/db.js';
import { listHistory } from '../src/state/history.js';
import { commitPayment, preparePayment } from '../src/state/pay.js';
import { acceptReceipt } from '../src/state/receipt.js';
import { applySync, syncWithBank } from '../src/state/sync.js';
import { DAY, NOW, NOW_MS, Receiver, enrolledWallet, makeBank } from './helpers.js';

const bank = makeBank();
const bob = new Receiver(bank);
const iso = (s: number) => new Date(s * 1000).toISOString();

function item(over: Partial<HistoryItem>): HistoryItem {
  return {
    paymentId: 'aa'.repeat(32),
    serial: 7,
    counter: 1,
    amount: 250,
    currency: 'EUR',
    payeeKid: '0b'.repeat(8),
    payeeName: 'Bob',
    memo: '',
    createdAt: NOW,
    state: 'sent',
    sealed: new Uint8Array(1),
    requestId: '00'.repeat(16),
    payeeCert: new Uint8Array(1),
    ...over,
  };
}

function certificate(
  payments: { id: string; amount: number; refunded?: number }[],
  over: Partial<PayerSync['certificates'][number]> = {},
): PayerSync['certificates'][number] {
  const settled = payments.reduce((s, p) => s + p.amount, 0);
  return {
    serial: '7',
    status: 'active',
    currency: 'EUR',
    limitMinor: '2000',
    settledMinor: String(settled),
    reserveRemainingMinor: String(Math.max(0, 2000 - settled)),
    expiresAt: iso(NOW + 7 * DAY),
    closedAt: null,
    reserveReleasedAt: null,
    paymentsTruncated: false,
    payments: payments.map((p, i) => ({
      paymentId: p.id,
      counter: i + 1,
      amountMinor: String(p.amount),
      settledAt: iso(NOW + 60),
      refundedMinor: String(p.refunded ?? 0),
    })),
    ...over,
  };
}

describe('applySync', () => {
  const a = item({ paymentId: 'aa'.repeat(32), counter: 1 });
  const b = item({ paymentId: 'bb'.repeat(32), counter: 2, state: 'receipted' });

  it('records what the merchant refunded of a payment, settled before or now, and nothing when it is unchanged', () => {
    const sync = (refunded: number) => ({
      bankTime: NOW + 100,
      certificates: [certificate([{ id: a.paymentId, amount: 250, refunded }])],
    });
    const [settledNow] = applySync([a], sync(100));
    expect(settledNow).toMatchObject({ state: 'settled', refunded: 100 });
    expect(applySync([settledNow!], sync(100))).toEqual([]);
    expect(applySync([settledNow!], sync(250))).toEqual([{ ...settledNow, refunded: 250 }]);
    // More than the payment is never believed.
    expect(applySync([settledNow!], sync(900))).toEqual([{ ...settledNow, refunded: 250 }]);
  });

  it('marks the payments the bank lists as settled, and only those', () => {
    const changed = applySync([a, b], {
      bankTime: NOW + 100,
      certificates: [certificate([{ id: a.paymentId, amount: 250 }])],
    });
    expect(changed).toEqual([{ ...a, state: 'settled', settledAt: iso(NOW + 60) }]);
  });

  it('marks rejected what can no longer settle: past expiry + grace, not on a complete list', () => {
    const expiresAt = NOW + DAY;
    const sync = (bankTime: number, settledMinor?: string): PayerSync => ({
      bankTime,
      certificates: [
        certificate([{ id: a.paymentId, amount: 250 }], {
          status: 'revoked',
          expiresAt: iso(expiresAt),
          ...(settledMinor ? { settledMinor } : {}),
        }),
      ],
    });
    expect(applySync([b], sync(expiresAt + GRACE_SECONDS))).toEqual([]);
    expect(applySync([b], sync(expiresAt + GRACE_SECONDS + 1))).toEqual([
      { ...b, state: 'rejected' },
    ]);
    // The bank settled more than it listed (a cut list): nothing can be concluded.
    expect(applySync([b], sync(expiresAt + GRACE_SECONDS + 1, '550'))).toEqual([]);
    const truncated = sync(expiresAt + GRACE_SECONDS + 1);
    truncated.certificates[0]!.paymentsTruncated = true;
    expect(applySync([b], truncated)).toEqual([]);
  });

  it('never changes a settled payment, and ignores certificates it does not know', () => {
    const settled = item({ state: 'settled', settledAt: iso(NOW) });
    const other = item({ paymentId: 'cc'.repeat(32), serial: 99 });
    expect(
      applySync([settled, other], {
        bankTime: NOW + 365 * DAY,
        certificates: [certificate([], { expiresAt: iso(NOW) })],
      }),
    ).toEqual([]);
  });
});

describe('syncWithBank', () => {
  it('records what settled, the bank’s remaining allowance and its time', async () => {
    const { db, vault, cert } = await enrolledWallet(bank, { limit: 2000 });
    const made: HistoryItem[] = [];
    for (const amount of [250, 300]) {
      const p = await preparePayment(db, vault, bob.request(amount), { nowMs: NOW_MS });
      if (p.kind !== 'new') throw new Error('expected a new payment');
      made.push(await commitPayment(db, vault, p, { nowMs: NOW_MS }));
    }
    await acceptReceipt(db, made[0]!.paymentId, bob.receipt(fromHex(made[0]!.paymentId)));
    const list = signRevocationList({ seq: 1, issuedAt: NOW + 500, serials: [] }, bank.signSk);
    const outcome = await syncWithBank(
      db,
      {
        payerSync: () =>
          Promise.resolve({
            bankTime: NOW + 500,
            certificates: [
              certificate([{ id: made[0]!.paymentId, amount: 250 }], {
                serial: String(cert.serial),
                expiresAt: iso(cert.expiresAt),
              }),
            ],
          }),
        revocations: () =>
          Promise.resolve({ seq: 1, signed: encodeRevocationList(list), bankTime: NOW + 500 }),
      },
      'token',
    );
    expect(outcome.newlySettled).toBe(1);
    expect(outcome.current?.settledCount).toBe(1);
    expect(outcome.current?.settled.toString()).toBe('2.50 EUR');
    expect(outcome.current?.remaining.toString()).toBe('17.50 EUR');
    expect(outcome.renewSuggested).toBe(false);
    const states = Object.fromEntries((await listHistory(db)).map((i) => [i.paymentId, i.state]));
    expect(states).toEqual({ [made[0]!.paymentId]: 'settled', [made[1]!.paymentId]: 'sent' });
    // The bank's signed time (the list's issuedAt) now bounds the device clock.
    await expect(trustedNow(db, NOW_MS)).rejects.toMatchObject({ code: 'PROTO_CLOCK_BEHIND' });
  });

  it('counts settled payments as "at least" when the bank cut its list', async () => {
    const { db, cert } = await enrolledWallet(bank);
    const listed = [
      { id: 'aa'.repeat(32), amount: 100 },
      { id: 'bb'.repeat(32), amount: 200 },
    ];
    const sync = (over: Partial<PayerSync['certificates'][number]>) =>
      syncWithBank(
        db,
        {
          payerSync: () =>
            Promise.resolve({
              bankTime: NOW,
              certificates: [certificate(listed, { serial: String(cert.serial), ...over })],
            }),
          revocations: () => Promise.reject(new Error('offline')),
        },
        'token',
      );
    const complete = await sync({});
    expect(complete.current).toMatchObject({ settledCount: 2, settledCountAtLeast: false });
    const cut = await sync({ paymentsTruncated: true, settledMinor: '900' });
    expect(cut.current).toMatchObject({ settledCount: 3, settledCountAtLeast: true });
    expect(cut.current?.settled.toString()).toBe('9.00 EUR');
  });

  it('suggests renewing a certificate the bank has closed', async () => {
    const { db, cert } = await enrolledWallet(bank);
    const outcome = await syncWithBank(
      db,
      {
        payerSync: () =>
          Promise.resolve({
            bankTime: NOW,
            certificates: [certificate([], { serial: String(cert.serial), status: 'closed' })],
          }),
        revocations: () => Promise.reject(new Error('offline')),
      },
      'token',
    );
    expect(outcome.current?.status).toBe('closed');
    expect(outcome.renewSuggested).toBe(true);
    expect(outcome.revocationsFailed).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { parseHistoryItem, type HistoryItem } from '../src/db.js';
import { countByState, listHistory } from '../src/state/history.js';
import { NOW, freshDb } from './helpers.js';

const good: HistoryItem = {
  paymentId: 'ab'.repeat(32),
  serial: 3,
  counter: 1,
  amount: 250,
  currency: 'EUR',
  payeeKid: '0a'.repeat(8),
  payeeName: "Bob's Market",
  memo: 'Coffee',
  createdAt: NOW,
  state: 'sent',
  sealed: new Uint8Array(300),
  requestId: '01'.repeat(16),
  payeeCert: new Uint8Array(200),
};

describe('history rows', () => {
  it('reads a well-formed row back', () => {
    expect(parseHistoryItem(structuredClone(good))).toEqual(good);
  });

  it.each([
    ['an unknown state', { state: 'paid' }],
    ['a fractional amount', { amount: 2.5 }],
    ['a lowercase currency', { currency: 'eur' }],
    ['a short paymentId', { paymentId: 'ab' }],
    ['no payee kid', { payeeKid: undefined }],
    ['sealed bytes as text', { sealed: 'AAAA' }],
    ['an oversized payee name', { payeeName: 'x'.repeat(1000) }],
    ['a damaged receipt', { receipt: { index: -1 } }],
  ])('refuses %s', (_what, change) => {
    expect(parseHistoryItem({ ...good, ...change })).toBeUndefined();
  });

  it('lists newest first and leaves damaged rows out', async () => {
    const db = await freshDb();
    const older = { ...good, paymentId: 'cd'.repeat(32), createdAt: NOW - 60 };
    const sameSecond = { ...good, paymentId: 'ef'.repeat(32), counter: 2 };
    await db.write([
      { put: 'history', value: older },
      { put: 'history', value: good },
      { put: 'history', value: { paymentId: 'junk', state: 'sent' } as unknown as HistoryItem },
      { put: 'history', value: sameSecond },
    ]);
    expect((await listHistory(db)).map((i) => i.paymentId)).toEqual([
      sameSecond.paymentId,
      good.paymentId,
      older.paymentId,
    ]);
  });

  it('counts by state', () => {
    const counts = countByState([
      good,
      { ...good, state: 'settled' },
      { ...good, state: 'settled' },
    ]);
    expect(counts).toEqual({ sent: 1, receipted: 0, settled: 2, rejected: 0 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  listHistory,
  parseHistoryItem,
  summarize,
  type HistoryItem,
} from '../src/state/history.js';
import { NOW, freshDb } from './helpers.js';

const good: HistoryItem = {
  paymentId: 'ab'.repeat(32),
  serial: 3,
  counter: 1,
  amount: 250,
  currency: 'EUR',
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
      { log: 'history', key: older.paymentId, value: older },
      { log: 'history', key: good.paymentId, value: good },
      { log: 'history', key: 'junk', value: { state: 'sent' } },
      { log: 'history', key: sameSecond.paymentId, value: sameSecond },
    ]);
    expect((await listHistory(db)).map((i) => i.paymentId)).toEqual([
      sameSecond.paymentId,
      good.paymentId,
      older.paymentId,
    ]);
  });

  it('summarises by state', () => {
    const s = summarize([good, { ...good, state: 'settled' }, { ...good, state: 'settled' }]);
    expect(s.count).toBe(3);
    expect(s.byState).toEqual({ sent: 1, receipted: 0, settled: 2, rejected: 0 });
  });
});

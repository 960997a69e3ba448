/** Who may take over a till's ledger (handovers.domain.ts, docs/protocol.md §9.7), on records. */
import { GRACE_SECONDS } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  handoverRefusal,
  successorMaySign,
  type TillState,
} from '../../../src/modules/handovers/handovers.domain.js';

const NOW = 1_800_000_000;
const old: TillState = {
  serial: 1,
  accountId: 'shop',
  status: 'revoked',
  expiresAt: NOW + 1000,
  reportedAt: new Date(NOW * 1000),
};
const successor: TillState = { ...old, serial: 2, status: 'active', reportedAt: null };

describe('handoverRefusal', () => {
  it('lets an active till of the same account take over a reported one', () => {
    expect(handoverRefusal(old, successor, NOW)).toBeNull();
  });

  it('names why it refuses, the account before the report', () => {
    expect(handoverRefusal(old, old, NOW)).toBe('same-till');
    expect(handoverRefusal({ ...old, reportedAt: null }, successor, NOW)).toBe('not-reported');
    expect(
      handoverRefusal({ ...old, reportedAt: null }, { ...successor, accountId: 'x' }, NOW),
    ).toBe('other-account');
    for (const status of ['closed', 'revoked'])
      expect(handoverRefusal(old, { ...successor, status }, NOW)).toBe('successor-inactive');
    expect(handoverRefusal(old, successor, NOW + 1001)).toBe('successor-inactive');
  });
});

describe('successorMaySign', () => {
  it('while not revoked and within expiry + grace (a closed till still settles)', () => {
    expect(successorMaySign({ status: 'active', expiresAt: NOW }, NOW + GRACE_SECONDS)).toBe(true);
    expect(successorMaySign({ status: 'closed', expiresAt: NOW }, NOW)).toBe(true);
    expect(successorMaySign({ status: 'revoked', expiresAt: NOW }, NOW)).toBe(false);
    expect(successorMaySign({ status: 'active', expiresAt: NOW }, NOW + GRACE_SECONDS + 1)).toBe(
      false,
    );
  });
});

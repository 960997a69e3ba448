/** Pure rules of the console: statements, recovery, the day, the summary CSV, bounded findings. */
import { RECONCILE_FINDINGS_MAX, RECONCILE_ROWS_MAX } from '@offpay/api';
import { describe, expect, it } from 'vitest';
import {
  counterpartyText,
  dayBounds,
  findingsOf,
  recoveryOf,
  statementCsv,
  summaryCsv,
} from '../../../src/modules/console/console.domain.js';

const at = new Date('2030-01-02T10:00:00.000Z');

describe('statementCsv', () => {
  it('runs the balance from the opening through each posting to the closing', () => {
    const csv = statementCsv({
      currency: 'EUR',
      from: at,
      to: new Date('2030-01-03T00:00:00.000Z'),
      opening: 100n,
      postings: [
        {
          postingId: 7n,
          transferId: 3n,
          kind: 'deposit',
          reference: 'R1',
          amount: 50n,
          at,
          counterparties: [{ kind: 'clearing', email: null }],
        },
        {
          postingId: 9n,
          transferId: 4n,
          kind: 'payout_hold',
          reference: 'R2',
          amount: -30n,
          at,
          counterparties: [],
        },
      ],
      closing: 120n,
    });
    expect(csv.split('\r\n')).toEqual([
      'line,at,posting_id,transfer_id,kind,reference,counterparty,amount_minor,balance_minor,currency',
      'opening,2030-01-02T10:00:00.000Z,,,,,,,100,EUR',
      'posting,2030-01-02T10:00:00.000Z,7,3,deposit,R1,bank:clearing,50,150,EUR',
      'posting,2030-01-02T10:00:00.000Z,9,4,payout_hold,R2,,-30,120,EUR',
      'closing,2030-01-03T00:00:00.000Z,,,,,,,120,EUR',
      '',
    ]);
  });

  it('shortens a long list of counterparties to its bound', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      kind: 'customer',
      email: `someone-${i}@example.com`,
    }));
    expect(counterpartyText(many)).toHaveLength(120);
  });
});

describe('recoveryOf', () => {
  it('splits what settled at the reserve and what recovery covered of the rest', () => {
    expect(recoveryOf(5000n, 7000n, 1500n)).toEqual({
      limit: 5000n,
      settled: 7000n,
      reserveUsed: 5000n,
      beyondReserve: 2000n,
      recoveredFromBalance: 1500n,
      unrecovered: 500n,
    });
    expect(recoveryOf(5000n, 3000n, 0n)).toMatchObject({
      reserveUsed: 3000n,
      beyondReserve: 0n,
      unrecovered: 0n,
    });
  });
});

describe('dayBounds', () => {
  it('is the UTC day, and refuses what is not one', () => {
    expect(dayBounds('2030-01-02')).toEqual({
      from: new Date('2030-01-02T00:00:00.000Z'),
      to: new Date('2030-01-03T00:00:00.000Z'),
    });
    expect(() => dayBounds('2030-13-40')).toThrow(RangeError);
  });
});

describe('summaryCsv', () => {
  it('has one row per money metric and currency, then the counts', () => {
    const t = { count: 2, value: 300n };
    const csv = summaryCsv({
      date: '2030-01-02',
      from: at,
      to: at,
      currencies: [
        {
          currency: 'EUR',
          settlements: t,
          refunds: t,
          deposits: t,
          payoutsPaid: t,
          payoutsFailed: t,
          reservesOutstanding: 900n,
        },
      ],
      fraudProofs: 1,
      revocations: { fraud: 1, closed: 2, compromised: 0 },
      newMerchants: 3,
    });
    const lines = csv.split('\r\n');
    expect(lines).toContain('2030-01-02,settlements,EUR,2,300');
    expect(lines).toContain('2030-01-02,reserves_outstanding,EUR,,900');
    expect(lines).toContain('2030-01-02,revocations_closed,,2,');
    expect(lines).toContain('2030-01-02,new_merchants,,3,');
  });
});

describe('findingsOf', () => {
  it('bounds the findings and the rows each shows, and counts every row', () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ accountId: `a${i}` }));
    const violations = Array.from({ length: RECONCILE_FINDINGS_MAX + 1 }, () => ({
      code: 'LEDGER_BALANCE_DRIFT',
      message: 'drift',
      rows,
    }));
    const { findings, truncated } = findingsOf(violations);
    expect(truncated).toBe(true);
    expect(findings).toHaveLength(RECONCILE_FINDINGS_MAX);
    expect(findings[0]).toMatchObject({ rowCount: 25 });
    expect(findings[0]?.rows).toHaveLength(RECONCILE_ROWS_MAX);
  });
});

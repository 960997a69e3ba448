import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBankError } from '../../../src/errors.js';
import {
  checkAgainstBalances,
  MAX_LEG_MINOR,
  netTransfer,
  type LockedAccount,
} from '../../../src/modules/accounts/accounts.domain.js';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return isBankError(err) ? err.code : String(err);
  }
};
const account = (
  id: string,
  balance: bigint,
  extra: Partial<LockedAccount> = {},
): LockedAccount => ({
  id,
  kind: 'customer',
  currency: 'EUR',
  balance,
  mayGoNegative: false,
  ...extra,
});

describe('netTransfer', () => {
  it('nets legs per account and drops accounts that cancel out', () => {
    const net = netTransfer({
      kind: 'adjustment',
      reference: 'r',
      legs: [
        { accountId: A, amount: -5n },
        { accountId: B, amount: 3n },
        { accountId: B, amount: 2n },
        { accountId: C, amount: 1n },
        { accountId: C, amount: -1n },
      ],
    });
    expect([...net]).toEqual([
      [A, -5n],
      [B, 5n],
    ]);
  });

  it('refuses unbalanced, empty, self-cancelling and out-of-range transfers', () => {
    const t = (legs: { accountId: string; amount: bigint }[], reference = 'r') =>
      codeOf(() => netTransfer({ kind: 'adjustment', reference, legs }));
    expect(
      t([
        { accountId: A, amount: -5n },
        { accountId: B, amount: 4n },
      ]),
    ).toBe('BANK_TRANSFER_UNBALANCED');
    expect(t([{ accountId: A, amount: -5n }])).toBe('BANK_TRANSFER_INVALID');
    expect(
      t([
        { accountId: A, amount: -5n },
        { accountId: A, amount: 5n },
      ]),
    ).toBe('BANK_TRANSFER_INVALID');
    expect(
      t([
        { accountId: A, amount: 0n },
        { accountId: B, amount: 0n },
      ]),
    ).toBe('BANK_TRANSFER_INVALID');
    expect(
      t([
        { accountId: A, amount: -(MAX_LEG_MINOR + 1n) },
        { accountId: B, amount: MAX_LEG_MINOR + 1n },
      ]),
    ).toBe('BANK_TRANSFER_INVALID');
    expect(
      t([
        { accountId: 'not-a-uuid', amount: -1n },
        { accountId: B, amount: 1n },
      ]),
    ).toBe('BANK_TRANSFER_INVALID');
    expect(
      t(
        [
          { accountId: A, amount: -1n },
          { accountId: B, amount: 1n },
        ],
        '',
      ),
    ).toBe('BANK_TRANSFER_INVALID');
  });

  it('accepts exactly the balanced leg sets, and its nets always sum to zero (property)', () => {
    const leg = fc.record({
      accountId: fc.constantFrom(A, B, C),
      amount: fc.bigInt({ min: -1000n, max: 1000n }),
    });
    fc.assert(
      fc.property(fc.array(leg, { minLength: 2, maxLength: 8 }), (legs) => {
        const code = codeOf(() => netTransfer({ kind: 'adjustment', reference: 'p', legs }));
        const sum = legs.reduce((s, l) => s + l.amount, 0n);
        if (code === 'ok') {
          expect(sum).toBe(0n);
          const net = netTransfer({ kind: 'adjustment', reference: 'p', legs });
          expect([...net.values()].reduce((s, v) => s + v, 0n)).toBe(0n);
          expect([...net.values()].every((v) => v !== 0n)).toBe(true);
        } else if (legs.every((l) => l.amount !== 0n)) {
          expect(
            code === 'BANK_TRANSFER_UNBALANCED' ? sum !== 0n : code === 'BANK_TRANSFER_INVALID',
          ).toBe(true);
        }
      }),
      { numRuns: 500, seed: 4 },
    );
  });
});

describe('checkAgainstBalances', () => {
  const net = new Map([
    [A, -100n],
    [B, 100n],
  ]);

  it('allows spending down to zero, and lets only issuance go negative', () => {
    expect(checkAgainstBalances(net, [account(A, 100n), account(B, 0n)])).toBe('EUR');
    expect(codeOf(() => checkAgainstBalances(net, [account(A, 99n), account(B, 0n)]))).toBe(
      'BANK_INSUFFICIENT_FUNDS',
    );
    expect(
      checkAgainstBalances(net, [
        account(A, 0n, { kind: 'issuance', mayGoNegative: true }),
        account(B, 0n),
      ]),
    ).toBe('EUR');
  });

  it('refuses mixed currencies and missing accounts', () => {
    expect(
      codeOf(() =>
        checkAgainstBalances(net, [account(A, 500n), account(B, 0n, { currency: 'USD' })]),
      ),
    ).toBe('BANK_CURRENCY_MISMATCH');
    expect(codeOf(() => checkAgainstBalances(net, [account(A, 500n)]))).toBe(
      'BANK_ACCOUNT_NOT_FOUND',
    );
  });
});

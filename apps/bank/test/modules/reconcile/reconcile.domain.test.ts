/**
 * The pure rules of reconciliation where arithmetic decides: a payer paying its own till beyond
 * its reserve (recovery from oneself moves nothing, so less leaves its account and less reaches
 * its till), and the bounds either side of that.
 */
import { describe, expect, it } from 'vitest';
import {
  checkRecoveries,
  checkReserves,
  type CertificateFact,
} from '../../../src/modules/reconcile/reconcile.domain.js';

function cert(over: Partial<CertificateFact>): CertificateFact {
  return {
    serial: 1,
    accountId: 'acc',
    userId: 'u',
    currency: 'EUR',
    limit: 1_000n,
    settledColumn: 0n,
    paid: 0n,
    paidToSelf: 0n,
    released: false,
    status: 'active',
    hasProof: false,
    ...over,
  };
}

describe('recovery', () => {
  it('beyond the reserve with a proof, recovered in full: agrees', () => {
    const c = cert({ paid: 1_600n, settledColumn: 1_600n, hasProof: true });
    expect(checkRecoveries([c], [{ accountId: 'acc', recovered: 600n }])).toEqual([]);
  });

  it('to its own till: recovering nothing from itself agrees, as does recovering it all', () => {
    const c = cert({ paid: 1_600n, paidToSelf: 1_600n, hasProof: true });
    expect(checkRecoveries([c], [])).toEqual([]);
    expect(checkRecoveries([c], [{ accountId: 'acc', recovered: 600n }])).toEqual([]);
  });

  it('more than beyond the reserve, or short of it when paid to others: RECOVERY_MISMATCH', () => {
    const c = cert({ paid: 1_600n, paidToSelf: 100n, hasProof: true });
    const over = checkRecoveries([c], [{ accountId: 'acc', recovered: 601n }]);
    const short = checkRecoveries([c], [{ accountId: 'acc', recovered: 499n }]);
    expect(over.map((v) => v.code)).toEqual(['RECOVERY_MISMATCH']);
    expect(short.map((v) => v.code)).toEqual(['RECOVERY_MISMATCH']);
    expect(checkRecoveries([c], [{ accountId: 'acc', recovered: 500n }])).toEqual([]);
  });

  it('beyond the reserve without a proof: RECOVERY_WITHOUT_PROOF', () => {
    const c = cert({ paid: 1_001n });
    const found = checkRecoveries([c], [{ accountId: 'acc', recovered: 1n }]);
    expect(found.map((v) => v.code)).toEqual(['RECOVERY_WITHOUT_PROOF']);
  });
});

describe('reserves', () => {
  it('hold limit − min(paid, limit) of unreleased certificates, nothing of released ones', () => {
    const certs = [
      cert({ serial: 1, paid: 300n }),
      cert({ serial: 2, paid: 1_500n, hasProof: true }),
      cert({ serial: 3, paid: 100n, released: true }),
    ];
    const reserve = { accountId: 'r', userId: 'u', currency: 'EUR', balance: 700n };
    expect(checkReserves([reserve], certs)).toEqual([]);
    expect(checkReserves([{ ...reserve, balance: 701n }], certs)).toMatchObject([
      { code: 'RESERVE_MISMATCH', rows: [{ balance: '701', expected: '700' }] },
    ]);
  });
});

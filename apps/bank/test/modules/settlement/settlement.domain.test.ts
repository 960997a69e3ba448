/** The settlement rule on plain records: reserve, recovery, duplicates, fraud, rules, order. */
import { generateSecretKey, getPublicKey, kid, randomBytes, toHex } from '@offpay/crypto';
import {
  createPayment,
  GRACE_SECONDS,
  initialChainState,
  issuePayerCertificate,
  signPayment,
  type PayerCertificate,
  type PayerChainState,
  type Payment,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  decideSettlement,
  type BatchEntry,
  type CertState,
  type SettlementInput,
} from '../../../src/modules/settlement/settlement.domain.js';

const NOW = 1_800_000_000;
const bank = generateSecretKey();
const payerKey = generateSecretKey();
const payeeKid = kid(getPublicKey(generateSecretKey()));
const cert: PayerCertificate = issuePayerCertificate(
  {
    serial: 7,
    signKey: getPublicKey(payerKey),
    currency: 'EUR',
    expiresAt: NOW + 86400,
    limit: 10_000,
  },
  bank,
);
const certState: CertState = {
  serial: 7,
  accountId: 'acct-payer',
  currency: 'EUR',
  limit: 10_000n,
  settled: 0n,
  certTbs: cert.tbs,
};

function pay(state: PayerChainState, amount: number): { payment: Payment; state: PayerChainState } {
  return createPayment(cert, state, payerKey, {
    amount,
    payeeKid,
    payeeCurrency: 'EUR',
    requestId: randomBytes(16),
    now: NOW,
  });
}

function input(entries: Payment[], over: Partial<SettlementInput> = {}): SettlementInput {
  return {
    payee: { kid: payeeKid, currency: 'EUR' },
    entries: entries.map((payment, index): BatchEntry => ({ index, payment, signatureCode: null })),
    certs: new Map([[7, certState]]),
    settled: new Map(),
    settledIds: new Set(),
    available: new Map([['acct-payer', 0n]]),
    now: NOW + 60,
    ...over,
  };
}

describe('decideSettlement', () => {
  it('settles an honest chain from the reserve, in order', () => {
    const a = pay(initialChainState(cert), 3000);
    const b = pay(a.state, 2000);
    const d = decideSettlement(input([a.payment, b.payment]));
    expect(d.outcomes.map((o) => [o.status, o.movement?.fromReserve])).toEqual([
      ['settled', 3000n],
      ['settled', 2000n],
    ]);
    expect(d.frauds).toEqual([]);
  });

  it('answers duplicate for a payment settled before or earlier in the same batch, moving nothing', () => {
    const a = pay(initialChainState(cert), 3000);
    const before = decideSettlement(
      input([a.payment], { settledIds: new Set([toHex(a.payment.paymentId)]) }),
    );
    expect(before.outcomes[0]).toMatchObject({ status: 'duplicate', code: '' });
    expect(before.outcomes[0]!.movement).toBeUndefined();
    const twice = decideSettlement(input([a.payment, a.payment]));
    expect(twice.outcomes.map((o) => o.status)).toEqual(['settled', 'duplicate']);
  });

  it('settles both sides of an equivocation while the reserve covers them, and reports the fraud', () => {
    const start = initialChainState(cert);
    const a = pay(start, 4000);
    const b = pay(start, 5000);
    const d = decideSettlement(input([a.payment, b.payment]));
    expect(d.outcomes.map((o) => o.status)).toEqual(['settled', 'settled']);
    expect(d.frauds.map((f) => f.kind)).toEqual(['equivocation']);
  });

  it('rejects the part of a double spend beyond the reserve when the payer has no available balance', () => {
    const start = initialChainState(cert);
    const a = pay(start, 8000);
    const b = pay(start, 8000);
    const d = decideSettlement(input([a.payment, b.payment]));
    expect(d.outcomes.map((o) => [o.status, o.code])).toEqual([
      ['settled', ''],
      ['rejected', 'PROTO_FRAUD_EQUIVOCATION'],
    ]);
  });

  it('takes the excess of a double spend from the payer available balance, in full or not at all', () => {
    const start = initialChainState(cert);
    const a = pay(start, 8000);
    const b = pay(start, 8000);
    const enough = decideSettlement(
      input([a.payment, b.payment], { available: new Map([['acct-payer', 6000n]]) }),
    );
    expect(enough.outcomes[1]).toMatchObject({
      status: 'settled',
      movement: { fromReserve: 2000n, fromAvailable: 6000n },
    });
    const short = decideSettlement(
      input([a.payment, b.payment], { available: new Map([['acct-payer', 5999n]]) }),
    );
    expect(short.outcomes[1]).toMatchObject({
      status: 'rejected',
      code: 'PROTO_FRAUD_EQUIVOCATION',
    });
  });

  it('counts what was settled in earlier batches against the reserve', () => {
    const start = initialChainState(cert);
    const earlier = pay(start, 9000);
    const cheat = pay(start, 2000);
    const d = decideSettlement(
      input([cheat.payment], {
        certs: new Map([[7, { ...certState, settled: 9000n }]]),
        settled: new Map([[7, [earlier.payment]]]),
        settledIds: new Set([toHex(earlier.payment.paymentId)]),
      }),
    );
    expect(d.outcomes[0]).toMatchObject({ status: 'rejected', code: 'PROTO_FRAUD_EQUIVOCATION' });
    expect(d.frauds).toHaveLength(1);
  });

  it('rejects with the rule code: expired past grace, wrong payee, unknown certificate, bad signature', () => {
    const a = pay(initialChainState(cert), 100);
    expect(
      decideSettlement(input([a.payment], { now: NOW + 86400 + GRACE_SECONDS + 1 })).outcomes[0]!
        .code,
    ).toBe('PROTO_CERT_EXPIRED');
    expect(
      decideSettlement(input([a.payment], { now: NOW + 86400 + GRACE_SECONDS })).outcomes[0]!
        .status,
    ).toBe('settled');
    expect(
      decideSettlement(input([a.payment], { payee: { kid: randomBytes(8), currency: 'EUR' } }))
        .outcomes[0]!.code,
    ).toBe('PROTO_PAYMENT_WRONG_PAYEE');
    expect(decideSettlement(input([a.payment], { certs: new Map() })).outcomes[0]!.code).toBe(
      'BANK_UNKNOWN_CERTIFICATE',
    );
    const forged = input([a.payment]);
    const entries = [{ ...forged.entries[0]!, signatureCode: 'PROTO_SIGNATURE_INVALID' as const }];
    expect(decideSettlement({ ...forged, entries }).outcomes[0]!.code).toBe(
      'PROTO_SIGNATURE_INVALID',
    );
  });

  it('finds a fork against a settled payment and an understated total', () => {
    const a = pay(initialChainState(cert), 1000);
    const fork = signPayment(
      {
        serial: 7,
        counter: 2,
        prev: randomBytes(32),
        spent: 1500,
        amount: 500,
        payeeKid,
        requestId: randomBytes(16),
        createdAt: NOW,
      },
      cert,
      payerKey,
    );
    const understated = signPayment(
      {
        serial: 7,
        counter: 2,
        prev: a.payment.paymentId,
        spent: 1200,
        amount: 500,
        payeeKid,
        requestId: randomBytes(16),
        createdAt: NOW,
      },
      cert,
      payerKey,
    );
    expect(decideSettlement(input([a.payment, fork])).frauds.map((f) => f.kind)).toEqual(['fork']);
    expect(decideSettlement(input([a.payment, understated])).frauds.map((f) => f.kind)).toEqual([
      'understated',
    ]);
  });

  it('settles nothing against a certificate whose reserve was already released', () => {
    const a = pay(initialChainState(cert), 100);
    const released = input([a.payment], {
      certs: new Map([[7, { ...certState, released: true }]]),
    });
    expect(decideSettlement(released).outcomes[0]).toMatchObject({
      status: 'rejected',
      code: 'PROTO_CERT_EXPIRED',
    });
  });

  it('pays beyond the reserve from the available balance of a certificate already proven to cheat', () => {
    const a = pay(initialChainState(cert), 500);
    const d = decideSettlement(
      input([a.payment], {
        certs: new Map([[7, { ...certState, settled: 10_000n, proven: true }]]),
        available: new Map([['acct-payer', 500n]]),
      }),
    );
    expect(d.outcomes[0]).toMatchObject({
      status: 'settled',
      movement: { fromReserve: 0n, fromAvailable: 500n },
    });
    const honest = decideSettlement(
      input([a.payment], {
        certs: new Map([[7, { ...certState, settled: 10_000n }]]),
        available: new Map([['acct-payer', 500n]]),
      }),
    );
    expect(honest.outcomes[0]).toMatchObject({
      status: 'rejected',
      code: 'BANK_RESERVE_EXHAUSTED',
    });
  });
});

/**
 * The protocol's published invalid vectors (packages/protocol/vectors/v1.json) give the same codes
 * at the bank, where the bank applies the check at all (docs/protocol.md §6 "At the bank"):
 * decoding and signature codes refuse the batch or the entry with the vector's code; rule codes
 * reject the entry with it; a duplicate is a duplicate; a fraud is found with the same kind.
 */
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '@offpay/crypto';
import {
  bankKeySet,
  decodePayment,
  isAppError,
  openPayment,
  verifyPaymentSignatures,
  type Payment,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import {
  decideSettlement,
  protoCodeOf,
} from '../../../src/modules/settlement/settlement.domain.js';

interface Vector {
  name: string;
  check: string;
  input: string;
  expectedCode: string;
  context: {
    payeeKemSecretKey: string;
    payeeKid: string;
    currency: string;
    bankPublicKeys: string[];
    now: number;
    revokedSerials: number[];
    ledger: string[];
  } | null;
}

const vectors = (
  JSON.parse(
    readFileSync(
      new URL('../../../../../packages/protocol/vectors/v1.json', import.meta.url),
      'utf8',
    ),
  ) as {
    invalid: Vector[];
  }
).invalid;

/** Checks that only devices make (docs/protocol.md §6 steps 1, 6, 15) and the bank's grace on step 7. */
const DEVICE_ONLY = new Set([
  'PROTO_SEAL_OPEN_FAILED',
  'PROTO_CERT_REVOKED',
  'PROTO_REQUEST_MISMATCH',
  'PROTO_CERT_EXPIRED',
]);

/** What the bank answers for the payment inside a vector: a batch-level code, or its entry outcome. */
function bankVerdict(v: Vector): { code: string; fraud?: string } {
  const ctx = v.context!;
  const bytes = openPayment(
    fromHex(v.input),
    fromHex(ctx.payeeKemSecretKey),
    fromHex(ctx.payeeKid),
  );
  let payment: Payment;
  try {
    payment = decodePayment(bytes);
  } catch (e) {
    if (isAppError(e)) return { code: e.code }; // the whole batch is refused with this code
    throw e;
  }
  const bankKeys = bankKeySet(ctx.bankPublicKeys.map(fromHex));
  const signatureCode = protoCodeOf(() => verifyPaymentSignatures(payment, bankKeys));
  const ledger = ctx.ledger.map((x) => decodePayment(fromHex(x)));
  const settledTotal = ledger.reduce((sum, p) => sum + BigInt(p.amount), 0n);
  const decision = decideSettlement({
    payee: { kid: fromHex(ctx.payeeKid), currency: ctx.currency },
    entries: [{ index: ledger.length, payment, signatureCode }],
    certs: new Map([
      [
        payment.serial,
        {
          serial: payment.serial,
          accountId: 'payer',
          currency: payment.payerCert.currency,
          limit: BigInt(payment.payerCert.limit),
          settled: settledTotal,
          certTbs: payment.payerCert.tbs,
        },
      ],
    ]),
    settled: new Map([[payment.serial, ledger]]),
    settledIds: new Set(ledger.map((p) => toHex(p.paymentId))),
    available: new Map([['payer', 0n]]),
    now: ctx.now,
  });
  const outcome = decision.outcomes[0]!;
  return {
    code:
      outcome.status === 'rejected'
        ? outcome.code
        : outcome.status === 'duplicate'
          ? 'PROTO_PAYMENT_DUPLICATE'
          : 'SETTLED',
    ...(decision.frauds[0] ? { fraud: decision.frauds[0].kind } : {}),
  };
}

const atBank = vectors.filter(
  (v) => v.check === 'receivePayment' && !DEVICE_ONLY.has(v.expectedCode),
);

describe('the protocol vectors at the bank', () => {
  it('covers the vectors the bank can judge', () => {
    expect(atBank.length).toBeGreaterThanOrEqual(14);
  });

  it.each(atBank.map((v) => [v.name, v] as const))('%s gives the same verdict', (_name, v) => {
    const verdict = bankVerdict(v);
    if (v.expectedCode.startsWith('PROTO_FRAUD_')) {
      // The bank settles a conflicting payment while the reserve covers it, and records the proof.
      expect(verdict.fraud && `PROTO_FRAUD_${verdict.fraud.toUpperCase()}`).toBe(v.expectedCode);
    } else {
      expect(verdict.code).toBe(v.expectedCode);
    }
  });

  it('settles an expired certificate within the grace period, where a device refuses it', () => {
    const expired = vectors.find((v) => v.name === 'expired-certificate')!;
    expect(expired.expectedCode).toBe('PROTO_CERT_EXPIRED');
    expect(bankVerdict(expired).code).toBe('SETTLED');
  });
});

/**
 * The console's rows as the contract's JSON (packages/api routes/console*.ts): minor units as
 * decimal strings, instants as ISO 8601, bytes as hex.
 */
import type { AnswerOf, routes } from '@offpay/api';
import { toHex } from '@offpay/crypto';
import type { Payment } from '@offpay/protocol';
import type { ConsoleAccountRow, PostingRow } from './console.accounts.repo.js';
import type { ActivitySnapshot } from './console.activity.js';
import { recoveryOf, type DailySummary, type Tally } from './console.domain.js';
import type { CertificateRow, KnownPayment, ProofRow, RefundRow } from './console.risk.repo.js';

type Answer<K extends keyof typeof routes> = AnswerOf<(typeof routes)[K]>;
type AccountView = Answer<'operatorAccount'>['account'];
type PostingView = Answer<'operatorAccount'>['postings'][number];
type ProofView = Answer<'operatorFraudProofs'>['proofs'][number];
type PaymentView = Answer<'operatorFraudProof'>['first'];

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

/** An account. */
export function accountView(a: ConsoleAccountRow): AccountView {
  return {
    accountId: a.accountId,
    holder: a.holder,
    kind: a.kind,
    userId: a.userId,
    email: a.email,
    displayName: a.displayName,
    currency: a.currency,
    balanceMinor: a.balance.toString(),
    reservedMinor: a.reserved.toString(),
    payoutsInFlightMinor: a.payoutsInFlight.toString(),
    createdAt: a.createdAt.toISOString(),
  };
}

/** A posting with its counterparties. */
export function postingView(p: PostingRow): PostingView {
  return {
    postingId: p.postingId.toString(),
    transferId: p.transferId.toString(),
    kind: p.kind,
    reference: p.reference,
    amountMinor: p.amount.toString(),
    counterparties: p.counterparties.map((c) => ({
      accountId: c.accountId,
      kind: c.kind,
      email: c.email,
      amountMinor: c.amount,
    })),
    at: p.at.toISOString(),
  };
}

/** A refund. */
export function refundView(r: RefundRow): Answer<'operatorRefunds'>['refunds'][number] {
  return {
    refundId: r.refundId,
    paymentId: toHex(r.paymentId),
    amountMinor: r.amount.toString(),
    currency: r.currency,
    reason: r.reason,
    transferId: r.transferId.toString(),
    createdAt: r.createdAt.toISOString(),
    merchantUserId: r.merchantUserId,
    merchantEmail: r.merchantEmail,
    payerEmail: r.payerEmail,
    payerSerial: String(r.payerSerial),
    payeeSerial: String(r.payeeSerial),
  };
}

/** A fraud proof with its payer and what was recovered. */
export function proofView(p: ProofRow): ProofView {
  const r = recoveryOf(p.limit, p.settled, p.recovered);
  return {
    id: p.id,
    serial: String(p.serial),
    kind: p.kind as ProofView['kind'],
    detectedAt: p.detectedAt.toISOString(),
    payer: { userId: p.userId, email: p.email, accountId: p.accountId },
    recovery: {
      currency: p.currency,
      limitMinor: r.limit.toString(),
      settledMinor: r.settled.toString(),
      reserveUsedMinor: r.reserveUsed.toString(),
      beyondReserveMinor: r.beyondReserve.toString(),
      recoveredFromBalanceMinor: r.recoveredFromBalance.toString(),
      unrecoveredMinor: r.unrecovered.toString(),
    },
    revokedAt: iso(p.revokedAt),
  };
}

/** One payment of a proof, decoded, with what the bank knows of it. */
export function paymentView(p: Payment, known: KnownPayment): PaymentView {
  return {
    paymentId: toHex(p.paymentId),
    payerSerial: String(p.serial),
    counter: p.counter,
    prev: toHex(p.prev),
    payeeKid: toHex(p.payeeKid),
    payeeSerial: known.payeeSerial === null ? null : String(known.payeeSerial),
    payeeName: known.payeeName,
    amountMinor: String(p.amount),
    spentMinor: String(p.spent),
    currency: p.payerCert.currency,
    createdAt: new Date(p.createdAt * 1000).toISOString(),
    status: known.status,
    settledAt: iso(known.settledAt),
  };
}

/** A certificate. */
export function certificateView(
  c: CertificateRow,
): Answer<'operatorCertificates'>['certificates'][number] {
  return {
    serial: String(c.serial),
    kind: c.kind,
    status: c.status,
    revocation:
      c.revocationReason && c.revokedAt
        ? { reason: c.revocationReason, at: c.revokedAt.toISOString() }
        : null,
    owner: { userId: c.userId, email: c.email, accountId: c.accountId },
    displayName: c.displayName,
    currency: c.currency,
    limitMinor: c.limit?.toString() ?? null,
    settledMinor: c.settled?.toString() ?? null,
    issuedAt: c.issuedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    closedAt: iso(c.closedAt),
  };
}

const tally = (t: Tally) => ({ count: t.count, valueMinor: t.value.toString() });

/** The daily summary. */
export function summaryView(s: DailySummary): Answer<'operatorSummary'> {
  const byReason = s.revocations;
  return {
    date: s.date,
    from: s.from.toISOString(),
    to: s.to.toISOString(),
    currencies: s.currencies.map((c) => ({
      currency: c.currency,
      settlements: tally(c.settlements),
      refunds: tally(c.refunds),
      deposits: tally(c.deposits),
      payoutsPaid: tally(c.payoutsPaid),
      payoutsFailed: tally(c.payoutsFailed),
      reservesOutstandingMinor: c.reservesOutstanding.toString(),
    })),
    fraudProofs: s.fraudProofs,
    revocations: {
      total: byReason.fraud + byReason.closed + byReason.compromised,
      byReason,
    },
    newMerchants: s.newMerchants,
  };
}

/** One activity snapshot as the event's data. */
export function activityView(s: ActivitySnapshot, intervalSeconds: number) {
  return {
    at: s.at.toISOString(),
    intervalSeconds,
    settlementsLastMinute: [...s.settlementsLastMinute]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, t]) => ({ currency, ...tally(t) })),
    reservesOutstanding: [...s.reservesOutstanding]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, v]) => ({ currency, valueMinor: v.toString() })),
    fraudProofs: s.fraudProofs,
    revocations: s.revocations,
    database: s.database,
    redis: s.redis,
  };
}

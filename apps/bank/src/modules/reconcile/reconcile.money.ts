/**
 * The invariants of money in and money out (docs/operations.md "Reconciliation"): every deposit is
 * exactly one transfer, from clearing to its account, of its amount, and no deposit transfer lacks
 * its deposit; the payout-hold account holds exactly the payouts not yet paid or returned; each
 * payout's money moved as its state says (held once; returned once when refused or failed; paid
 * to clearing once when confirmed), and no payout transfer names a payout that does not exist.
 * Pure: the facts come from reconcile.repo.ts.
 */
import type { Violation } from './reconcile.domain.js';

/** A deposit with what its transfer (deposit, reference) moved (text: bigint values). */
export interface DepositFact {
  depositId: string;
  reference: string;
  amount: string;
  /** Null when no transfer (deposit, reference) exists. */
  transferId: string | null;
  postings: number;
  /** The posting on the deposit's account, or null. */
  credited: string | null;
  /** The posting on the clearing account, or null. */
  debited: string | null;
}

/** A payout with what its transfers moved on its own account and on clearing. */
export interface PayoutFact {
  payoutId: string;
  state: string;
  amount: string;
  /** The hold transfer's posting on the customer account (−amount), or null. */
  held: string | null;
  /** The return transfer's posting on the customer account (+amount), or null. */
  returned: string | null;
  /** The paid transfer's posting on clearing (+amount), or null. */
  paid: string | null;
}

/** The payout-hold balance of a currency and the payouts it should hold. */
export interface HoldFact {
  currency: string;
  balance: string;
  /** Σ amounts of requested, approved and in-flight payouts. */
  held: string;
}

/** A deposit or payout transfer whose reference names no deposit or payout. */
export interface MoneyOrphanFact {
  transferId: string;
  kind: string;
  reference: string;
}

const RETURNED_STATES = new Set(['refused', 'failed']);

/** Deposits whose transfer is missing or moved something else, and deposit transfers alone. */
export function checkDeposits(
  deposits: readonly DepositFact[],
  orphans: readonly MoneyOrphanFact[],
): Violation[] {
  const rows: Violation['rows'] = deposits
    .filter((d) => {
      const amount = BigInt(d.amount);
      return (
        d.transferId === null ||
        d.postings !== 2 ||
        d.credited === null ||
        BigInt(d.credited) !== amount ||
        d.debited === null ||
        BigInt(d.debited) !== -amount
      );
    })
    .map((d) => ({ ...d }));
  rows.push(
    ...orphans
      .filter((o) => o.kind === 'deposit')
      .map((o) => ({ transferId: o.transferId, reference: o.reference, depositId: null })),
  );
  if (rows.length === 0) return [];
  return [
    {
      code: 'DEPOSIT_TRANSFER_MISMATCH',
      message: 'deposits that are not exactly one transfer of their amount from clearing',
      rows,
    },
  ];
}

function payoutMoneyAgrees(p: PayoutFact): boolean {
  const amount = BigInt(p.amount);
  const eq = (v: string | null, want: bigint | null) =>
    want === null ? v === null : v !== null && BigInt(v) === want;
  return (
    eq(p.held, -amount) &&
    eq(p.returned, RETURNED_STATES.has(p.state) ? amount : null) &&
    eq(p.paid, p.state === 'confirmed' ? amount : null)
  );
}

/** Payouts whose money did not move as their state says; hold balances that differ. */
export function checkPayouts(
  payouts: readonly PayoutFact[],
  holds: readonly HoldFact[],
  orphans: readonly MoneyOrphanFact[],
): Violation[] {
  const money: Violation['rows'] = payouts
    .filter((p) => !payoutMoneyAgrees(p))
    .map((p) => ({ ...p }));
  money.push(
    ...orphans
      .filter((o) => o.kind !== 'deposit')
      .map((o) => ({ transferId: o.transferId, kind: o.kind, reference: o.reference })),
  );
  const hold = holds.filter((h) => BigInt(h.balance) !== BigInt(h.held)).map((h) => ({ ...h }));
  const out: Violation[] = [];
  if (hold.length > 0) {
    out.push({
      code: 'PAYOUT_HOLD_MISMATCH',
      message: 'payout-hold balances that are not the sum of the payouts held',
      rows: hold,
    });
  }
  if (money.length > 0) {
    out.push({
      code: 'PAYOUT_MONEY_MISMATCH',
      message: 'payouts whose money did not move as their state says, or transfers of no payout',
      rows: money,
    });
  }
  return out;
}

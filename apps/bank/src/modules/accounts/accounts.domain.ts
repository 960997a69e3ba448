/**
 * The ledger's rules (DESIGN.md §5 "double-entry postings"): a transfer moves money between
 * accounts of one currency, its legs sum to zero, and only the issuance account may go negative.
 * Pure: no database; the service supplies locked balances.
 */
import { bankFail } from '../../errors.js';

/** Kinds of account (see migrations/001_ledger.sql and 008_deposits_payouts.sql). */
export type AccountKind =
  'customer' | 'reserve' | 'settlement' | 'issuance' | 'clearing' | 'payout_hold';

/** Why money moved. `(kind, reference)` is unique: one movement per cause. */
export type TransferKind =
  | 'funding'
  | 'reserve'
  | 'release'
  | 'settlement'
  | 'recovery'
  | 'adjustment'
  | 'deposit'
  | 'payout_hold'
  | 'payout_return'
  | 'payout_paid';

/** One side of a transfer: positive credits the account, negative debits it (minor units). */
export interface TransferLeg {
  accountId: string;
  amount: bigint;
}

/** A requested movement of money. */
export interface TransferRequest {
  kind: TransferKind;
  reference: string;
  legs: readonly TransferLeg[];
}

/** An account row locked for update, with its balance. */
export interface LockedAccount {
  id: string;
  kind: AccountKind;
  currency: string;
  balance: bigint;
  mayGoNegative: boolean;
}

/** Most legs in one transfer: bounds the work one call can cause. */
export const MAX_LEGS = 64;
/** Largest amount of one leg: 2^53 − 1, the protocol's integer bound (DESIGN.md §4). */
export const MAX_LEG_MINOR = 2n ** 53n - 1n;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for an ISO 4217-shaped currency code (three capital letters). */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

function checkLeg(leg: TransferLeg): void {
  if (typeof leg.accountId !== 'string' || !UUID.test(leg.accountId)) {
    bankFail('BANK_TRANSFER_INVALID', 'A transfer leg names no valid account id', {
      reason: 'account_id',
    });
  }
  if (
    typeof leg.amount !== 'bigint' ||
    leg.amount === 0n ||
    leg.amount > MAX_LEG_MINOR ||
    -leg.amount > MAX_LEG_MINOR
  ) {
    bankFail(
      'BANK_TRANSFER_INVALID',
      'A transfer leg amount is zero, not a bigint or out of range',
      { reason: 'amount' },
    );
  }
}

/**
 * Validates a transfer and nets its legs per account (accounts whose legs cancel out drop out).
 * @throws BANK_TRANSFER_INVALID for bad legs, a bad reference, or a transfer that moves nothing.
 * @throws BANK_TRANSFER_UNBALANCED when the legs do not sum to zero.
 */
export function netTransfer(req: TransferRequest): Map<string, bigint> {
  if (req.reference.length < 1 || req.reference.length > 200) {
    bankFail('BANK_TRANSFER_INVALID', 'A transfer reference must be 1 to 200 characters', {
      reason: 'reference',
    });
  }
  if (req.legs.length < 2 || req.legs.length > MAX_LEGS) {
    bankFail('BANK_TRANSFER_INVALID', `A transfer needs 2 to ${MAX_LEGS} legs`, {
      reason: 'leg_count',
    });
  }
  const net = new Map<string, bigint>();
  let sum = 0n;
  for (const leg of req.legs) {
    checkLeg(leg);
    sum += leg.amount;
    net.set(leg.accountId, (net.get(leg.accountId) ?? 0n) + leg.amount);
  }
  if (sum !== 0n)
    bankFail('BANK_TRANSFER_UNBALANCED', 'Transfer legs do not sum to zero', {
      sumMinor: sum.toString(),
    });
  for (const [id, amount] of net) if (amount === 0n) net.delete(id);
  if (net.size < 2)
    bankFail('BANK_TRANSFER_INVALID', 'The transfer moves no money', { reason: 'no_effect' });
  return net;
}

/**
 * Checks netted legs against the locked accounts and returns the transfer's currency.
 * @throws BANK_ACCOUNT_NOT_FOUND, BANK_CURRENCY_MISMATCH or BANK_INSUFFICIENT_FUNDS.
 */
export function checkAgainstBalances(
  net: ReadonlyMap<string, bigint>,
  accounts: readonly LockedAccount[],
): string {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  for (const id of net.keys()) {
    if (!byId.has(id))
      bankFail('BANK_ACCOUNT_NOT_FOUND', 'A transfer names an account that does not exist');
  }
  const currencies = [
    ...new Set(accounts.filter((a) => net.has(a.id)).map((a) => a.currency)),
  ].sort();
  if (currencies.length !== 1) {
    bankFail('BANK_CURRENCY_MISMATCH', 'A transfer cannot mix currencies', { currencies });
  }
  for (const [id, amount] of net) {
    const account = byId.get(id) as LockedAccount;
    if (!account.mayGoNegative && account.balance + amount < 0n) {
      bankFail('BANK_INSUFFICIENT_FUNDS', 'The account balance does not cover the amount', {
        accountId: id,
        balanceMinor: account.balance.toString(),
        requiredMinor: (-amount).toString(),
      });
    }
  }
  return currencies[0] as string;
}

/**
 * The recovery rule (docs/threat-model.md "Liability"): how a payment under a payer certificate is
 * funded — from the certificate's reserve while it lasts; beyond it only for a certificate proven
 * to cheat, from the payer's available balance, and then only up to the recovery cap, and never
 * for a payment settled after the certificate's owner closed it or it was reported compromised.
 * Whatever this rule does not fund is not paid: the payment is rejected whole and the receiving
 * merchant bears it. Pure: no pg, no fastify.
 *
 * So the owner's loss from one certificate is at most `limit + cap`, and after a close or a
 * compromise report at most what is left of the reserve.
 */

/** The default recovery cap, in percent of the certificate's limit: the limit once more. */
export const DEFAULT_RECOVERY_CAP_PERCENT = 100;

/** Largest recovery cap percent a configuration may set (100 times the limit). */
export const MAX_RECOVERY_CAP_PERCENT = 10_000;

/**
 * The most that may ever be recovered from the owner's available balance for one certificate:
 * `floor(limit × percent / 100)`, in minor units.
 * @throws RangeError when `percent` is not an integer in 0 … {@link MAX_RECOVERY_CAP_PERCENT}
 */
export function recoveryCap(limit: bigint, percent: number): bigint {
  if (!Number.isInteger(percent) || percent < 0 || percent > MAX_RECOVERY_CAP_PERCENT)
    throw new RangeError(`percent must be an integer in 0 … ${MAX_RECOVERY_CAP_PERCENT}`);
  return (limit * BigInt(percent)) / 100n;
}

/** What the rule reads about one payment and its certificate. */
export interface FundingInput {
  /** The payment's amount. */
  amount: bigint;
  /** The certificate's limit: its reserve. */
  limit: bigint;
  /** Already settled under the certificate, this batch's earlier payments included. */
  settled: bigint;
  /** {@link recoveryCap} of the certificate. */
  cap: bigint;
  /** The payer's available balance now (this batch's earlier recoveries taken off). */
  available: bigint;
  /** True when a fraud proof against the certificate is stored or found in this batch. */
  proven: boolean;
  /** True when the owner closed the certificate or reported it compromised before now. */
  recoveryEnded: boolean;
}

/** Where a funded payment's money comes from. */
export interface Funding {
  fromReserve: bigint;
  fromAvailable: bigint;
}

/**
 * Funds a payment in full or not at all (null). The reserve is always used first, so what was
 * recovered for the certificate so far is `settled − limit` when positive.
 */
export function fundPayment(i: FundingInput): Funding | null {
  const reserveLeft = i.limit > i.settled ? i.limit - i.settled : 0n;
  const fromReserve = i.amount <= reserveLeft ? i.amount : reserveLeft;
  const fromAvailable = i.amount - fromReserve;
  if (fromAvailable === 0n) return { fromReserve, fromAvailable };
  if (!i.proven || i.recoveryEnded) return null;
  const recovered = i.settled > i.limit ? i.settled - i.limit : 0n;
  if (fromAvailable > i.cap - recovered || fromAvailable > i.available) return null;
  return { fromReserve, fromAvailable };
}

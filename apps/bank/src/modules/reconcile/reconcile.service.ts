/**
 * Reconciliation (docs/operations.md "Reconciliation"): reads every fact the invariants need in
 * one read-only REPEATABLE READ transaction — a consistent snapshot while the bank keeps settling —
 * and returns the violations reconcile.domain.ts finds. Read-only: it never changes a row.
 */
import { bankKeySet } from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import * as domain from './reconcile.domain.js';
import { checkDeposits, checkPayouts } from './reconcile.money.js';
import * as repo from './reconcile.repo.js';

/** What a reconciliation found, and how much it looked at. */
export interface ReconcileReport {
  violations: domain.Violation[];
  checked: {
    certificates: number;
    settlements: number;
    payments: number;
    proofs: number;
    deposits: number;
    payouts: number;
  };
}

/** Checks every ledger invariant against `db` on one consistent snapshot; never writes. */
export async function reconcile(db: Database): Promise<ReconcileReport> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return reconcileIn(tx);
  });
}

/**
 * The checks on a connection the caller holds (inside its own transaction for a consistent
 * view; tests use this to corrupt rows and check them without committing).
 */
export async function reconcileIn(tx: Queryable): Promise<ReconcileReport> {
  const certs = await repo.certificates(tx);
  const settlements = await repo.settlements(tx);
  const payments = await repo.settledPayments(tx);
  const proofs = await repo.proofs(tx);
  const orphans = await repo.moneyOrphans(tx);
  const depositFacts = await repo.deposits(tx);
  const payoutFacts = await repo.payouts(tx);
  const results = domain.checkResults(settlements, bankKeySet(await repo.signingKeys(tx)));
  const violations = [
    ...domain.checkCurrencies(await repo.currencyTotals(tx)),
    ...domain.checkTransfers(await repo.suspectTransfers(tx)),
    ...domain.checkBalances(await repo.suspectBalances(tx)),
    ...domain.checkCertificateTotals(certs),
    ...domain.checkReserves(await repo.reserves(tx), certs),
    ...domain.checkRecoveries(certs, await repo.recoveries(tx)),
    ...domain.checkProofs(proofs),
    ...results.violations,
    ...domain.checkSettlements(
      settlements,
      results.decoded,
      payments,
      await repo.orphanTransfers(tx),
    ),
    ...checkDeposits(depositFacts, orphans),
    ...checkPayouts(payoutFacts, await repo.holds(tx), orphans),
  ];
  return {
    violations,
    checked: {
      certificates: certs.length,
      settlements: settlements.length,
      payments: payments.length,
      proofs: proofs.length,
      deposits: depositFacts.length,
      payouts: payoutFacts.length,
    },
  };
}

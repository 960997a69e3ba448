/** Reconciliation of deliberately damaged books, for the tests of each reconcile check. */
import type { Database, Queryable } from '../../src/db/queryable.js';
import {
  reconcileIn,
  type ReconcileReport,
} from '../../src/modules/reconcile/reconcile.service.js';

/** Runs `corrupt` and reconcile in one transaction, then rolls it back: the books stay clean. */
export async function reconcileCorrupted(
  db: Database,
  corrupt: (tx: Queryable) => Promise<void>,
): Promise<ReconcileReport> {
  let report: ReconcileReport | undefined;
  await db
    .transaction(async (tx) => {
      await corrupt(tx);
      report = await reconcileIn(tx);
      throw new Error('rollback');
    })
    .catch((err: unknown) => {
      if (!(err instanceof Error && err.message === 'rollback')) throw err;
    });
  return report!;
}

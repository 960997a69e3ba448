/**
 * The reserve returns by itself (DESIGN.md §3 "Expiry"): once a payer certificate can no longer
 * settle (bank clock past `expiresAt` + grace), whatever of its limit did not settle moves from
 * the owner's reserve account back to the customer account, exactly once.
 */
import type { Database, Queryable } from '../../db/queryable.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import { withSavepoint } from '../../db/transactions.js';
import { releaseCutoff, reserveReference, reserveRemaining } from './reserves.domain.js';
import {
  lockReleasable,
  markReserveReleased,
  type ReleasableCertificate,
} from './reserves.repo.js';

/** Certificates handled per transaction. */
export const RELEASE_BATCH_SIZE = 100;

/** What one run of the release job did. */
export interface ReleaseReport {
  /** Certificates whose reserve this run returned (amount 0 when all of it settled). */
  released: { serial: number; currency: string; amount: bigint }[];
  /** Certificates that could not be released (a ledger defect; logged, retried next run). */
  failed: { serial: number; error: unknown }[];
}

/** The payer reserves' lifecycle after enrollment. */
export interface ReservesService {
  /**
   * Returns the unspent reserve of every payer certificate past expiresAt + grace at `now`, in
   * batches of {@link RELEASE_BATCH_SIZE}. Idempotent: a released certificate is never selected
   * again. Safe with several bank instances running it.
   */
  releaseExpired(now: Date): Promise<ReleaseReport>;
}

/** Dependencies of {@link createReservesService}. */
export interface ReleaseDeps {
  db: Database;
  accounts: Pick<AccountsService, 'transfer'>;
  audit: AuditLog;
}

async function releaseOne(
  deps: ReleaseDeps,
  tx: Queryable,
  cert: ReleasableCertificate,
  now: Date,
): Promise<bigint> {
  const amount = reserveRemaining({ limit: cert.limit, settled: cert.settled, releasedAt: null });
  if (amount > 0n) {
    if (!cert.reserveAccountId) throw new Error(`payer certificate ${cert.serial} has no reserve`);
    // (kind, reference) is unique in `transfers`: even a buggy second release cannot move money.
    await deps.accounts.transfer(tx, {
      kind: 'release',
      reference: reserveReference(cert.serial),
      legs: [
        { accountId: cert.reserveAccountId, amount: -amount },
        { accountId: cert.customerAccountId, amount },
      ],
    });
  }
  await markReserveReleased(tx, cert.serial, now);
  await deps.audit.append(tx, {
    actor: 'bank',
    action: 'certificate.reserve_released',
    data: { serial: String(cert.serial), amountMinor: amount.toString() },
  });
  return amount;
}

async function releaseBatch(deps: ReleaseDeps, now: Date, report: ReleaseReport): Promise<number> {
  const skip = report.failed.map((f) => f.serial);
  const done: ReleaseReport = { released: [], failed: [] };
  const size = await deps.db.transaction(async (tx) => {
    const batch = await lockReleasable(tx, {
      cutoff: releaseCutoff(now),
      skip,
      limit: RELEASE_BATCH_SIZE,
    });
    for (const cert of batch) {
      try {
        // A savepoint per certificate: one defective row must not hold back the others.
        const amount = await withSavepoint(tx, () => releaseOne(deps, tx, cert, now));
        done.released.push({ serial: cert.serial, currency: cert.currency, amount });
      } catch (error) {
        done.failed.push({ serial: cert.serial, error });
      }
    }
    return batch.length;
  });
  // Reported only once committed.
  report.released.push(...done.released);
  report.failed.push(...done.failed);
  return size;
}

/** Builds the reserves service. */
export function createReservesService(deps: ReleaseDeps): ReservesService {
  return {
    async releaseExpired(now) {
      const report: ReleaseReport = { released: [], failed: [] };
      // A short batch means nothing due is left (or only rows other transactions hold).
      let size = RELEASE_BATCH_SIZE;
      while (size === RELEASE_BATCH_SIZE) size = await releaseBatch(deps, now, report);
      return report;
    },
  };
}

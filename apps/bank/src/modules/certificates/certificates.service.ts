/**
 * The certificate lifecycle (DESIGN.md §3): enrollment with proof of possession, the payer's
 * reserve, close = revoke, the signed revocation list, the reserve's return after expiry + grace,
 * and what payers and merchants read back. Built once in plugins/services.ts; settlement receives
 * {@link CertificatesService.revoke} from there.
 */
import { CSV_MAX_ROWS, SYNC_MAX_CERTIFICATES, SYNC_MAX_PAYMENTS } from '@offpay/api';
import { toHex } from '@offpay/crypto';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { Cache, ChallengeStore } from '../../kv/kv.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { settlementsCsv } from './certificates.csv.js';
import { reserveRemaining, type CertificateStatus } from './certificates.domain.js';
import {
  createChallenge,
  enrollPayee,
  enrollPayer,
  type IssuedCertificate,
  type IssuedChallenge,
  type PayeeEnrollment,
  type PayerEnrollment,
} from './certificates.enrollment.js';
import { releaseExpiredReserves, type ReleaseReport } from './certificates.release.js';
import { lockCertificate } from './certificates.repo.js';
import {
  listMerchantSettlements,
  listPayerCertificates,
  listSettledPayments,
} from './certificates.reports.repo.js';
import {
  applyRevocation,
  latestListReader,
  revoke,
  type RevocationListView,
  type RevocationOutcome,
  type RevokeInput,
} from './certificates.revocation.js';
import { revocationListCache } from './certificates.revocation-cache.js';

export type { RevocationOutcome, RevokeInput, RevocationListView, ReleaseReport };

/** One payer certificate as its owner's wallet syncs it. */
export interface PayerSyncItem {
  serial: number;
  status: CertificateStatus;
  currency: string;
  limit: bigint;
  settled: bigint;
  reserveRemaining: bigint;
  expiresAt: Date;
  closedAt: Date | null;
  reserveReleasedAt: Date | null;
  /** Settled payments, newest first, at most {@link SYNC_MAX_PAYMENTS}. */
  payments: { paymentId: string; counter: number; amount: bigint; settledAt: Date }[];
  /** True when older settled payments exist beyond `payments`. */
  paymentsTruncated: boolean;
}

/** The certificate lifecycle. */
export interface CertificatesService {
  /** A single-use enrollment challenge for `userId` (5 minutes). */
  createChallenge(userId: string): Promise<IssuedChallenge>;
  /**
   * Issues a payer certificate and reserves its limit in one transaction.
   * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID,
   * BANK_ACCOUNT_NOT_FOUND, BANK_INSUFFICIENT_FUNDS
   */
  enrollPayer(userId: string, req: PayerEnrollment): Promise<IssuedCertificate & { limit: bigint }>;
  /**
   * Issues a payee certificate (verified display name) and opens its ledger head.
   * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID,
   * BANK_ACCOUNT_NOT_FOUND, BANK_DISPLAY_NAME_UNUSABLE, BANK_KEY_ALREADY_ENROLLED
   */
  enrollPayee(
    userId: string,
    req: PayeeEnrollment,
  ): Promise<IssuedCertificate & { displayName: string }>;
  /**
   * Closes the caller's own certificate: revoked with reason `closed`; releases nothing (the
   * reserve returns at expiresAt + grace). Closing again answers the same state.
   * @throws BANK_CERTIFICATE_NOT_FOUND (also for another user's certificate)
   */
  close(userId: string, serial: number): Promise<RevocationOutcome>;
  /**
   * Revokes a payer or payee certificate inside the caller's transaction `tx` (settlement calls
   * it with a fraud proof). Idempotent per serial: a second call records nothing and publishes
   * nothing, but a fraud or compromise still turns a closed certificate's status to `revoked`.
   * Revoking a payer certificate publishes the next signed revocation list in `tx`. Lock order:
   * it takes the revocation-list lock and then the audit head, so call it after locking
   * certificate rows and accounts and before any `audit.append` in the same transaction.
   * @throws BANK_CERTIFICATE_NOT_FOUND; TypeError when `fraudProofId` is given without reason
   * `fraud` or missing with it.
   */
  revoke(tx: Queryable, input: RevokeInput): Promise<RevocationOutcome>;
  /** The latest signed revocation list (the empty list 0 is published on first use). */
  revocationList(): Promise<RevocationListView>;
  /** Returns the unspent reserve of every payer certificate past expiresAt + grace at `now`. */
  releaseExpiredReserves(now: Date): Promise<ReleaseReport>;
  /** The caller's payer certificates with what settled and what remains. */
  payerSync(userId: string): Promise<PayerSyncItem[]>;
  /** CSV of payments settled to the caller's payee certificates, `from ≤ settledAt < to`. */
  merchantSettlementsCsv(
    userId: string,
    range: { from: Date | null; to: Date | null },
  ): Promise<{ csv: string; truncated: boolean }>;
}

/** Dependencies of {@link createCertificatesService}. */
export interface CertificatesDeps {
  db: Database;
  challenges: ChallengeStore;
  accounts: Pick<AccountsService, 'transfer'>;
  audit: AuditLog;
  keyring: BankKeyring;
  now: () => Date;
  ttl: { payerSeconds: number; payeeSeconds: number };
  /** Shared cache of the latest revocation list; absent → GET /v1/revocations asks Postgres. */
  cache?: Cache;
}

async function payerSync(db: Database, userId: string): Promise<PayerSyncItem[]> {
  const certs = await listPayerCertificates(db, userId, SYNC_MAX_CERTIFICATES);
  // One more than shown tells whether older payments exist.
  const payments = await listSettledPayments(
    db,
    certs.map((c) => c.serial),
    SYNC_MAX_PAYMENTS + 1,
  );
  const bySerial = new Map<number, typeof payments>();
  for (const p of payments) {
    const list = bySerial.get(p.serial);
    if (list) list.push(p);
    else bySerial.set(p.serial, [p]);
  }
  return certs.map((c) => {
    const mine = bySerial.get(c.serial) ?? [];
    return {
      ...c,
      reserveRemaining: reserveRemaining({ ...c, releasedAt: c.reserveReleasedAt }),
      payments: mine.slice(0, SYNC_MAX_PAYMENTS).map((p) => ({
        paymentId: toHex(p.paymentId),
        counter: p.counter,
        amount: p.amount,
        settledAt: p.settledAt,
      })),
      paymentsTruncated: mine.length > SYNC_MAX_PAYMENTS,
    };
  });
}

/**
 * Builds the service and makes sure a signed revocation list exists (list 0, empty, on a new
 * bank), so receivers can fetch one from the first request on.
 */
export async function createCertificatesService(
  input: CertificatesDeps,
): Promise<CertificatesService> {
  const listCache = input.cache ? revocationListCache(input.cache) : undefined;
  const deps = { ...input, listCache };
  const readLatestList = latestListReader(deps);
  await readLatestList();
  return {
    createChallenge: (userId) => createChallenge(deps, userId),
    enrollPayer: (userId, req) => enrollPayer(deps, userId, req),
    enrollPayee: (userId, req) => enrollPayee(deps, userId, req),
    close: (userId, serial) =>
      deps.db.transaction(async (tx) => {
        const cert = await lockCertificate(tx, serial);
        // Another user's certificate looks exactly like a missing one.
        if (!cert || cert.userId !== userId)
          bankFail('BANK_CERTIFICATE_NOT_FOUND', `You have no certificate with serial ${serial}`, {
            serial: String(serial),
          });
        return applyRevocation(deps, tx, cert, { serial, reason: 'closed' });
      }),
    revoke: (tx, input) => revoke(deps, tx, input),
    revocationList: readLatestList,
    releaseExpiredReserves: (now) => releaseExpiredReserves(deps, now),
    payerSync: (userId) => payerSync(deps.db, userId),
    async merchantSettlementsCsv(userId, range) {
      const rows = await listMerchantSettlements(deps.db, userId, {
        ...range,
        limit: CSV_MAX_ROWS + 1,
      });
      const truncated = rows.length > CSV_MAX_ROWS;
      return { csv: settlementsCsv(rows.slice(0, CSV_MAX_ROWS)), truncated };
    },
  };
}

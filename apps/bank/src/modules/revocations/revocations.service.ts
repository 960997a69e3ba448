/**
 * Closing and revoking certificates (DESIGN.md §3 "Fraud proofs"; docs/protocol.md §11): a
 * revoked or closed certificate is recorded once, and every revocation of a payer certificate
 * publishes the next bank-signed list in the same transaction (revocations.list.ts). Settlement
 * and fraud reports revoke through {@link RevocationsService.revoke}, handed to them by
 * plugins/services.ts.
 */
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { Cache } from '../../kv/kv.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { revocationListCache } from './revocations.cache.js';
import {
  checkRevocationInput,
  endsRecovery,
  statusAfter,
  type CertificateStatus,
  type ReportReason,
  type RevocationReason,
} from './revocations.domain.js';
import { deltaReader, type RevocationDeltaView } from './revocations.delta.js';
import {
  latestListReader,
  publishRevocationList,
  type RevocationListDeps,
  type RevocationListView,
} from './revocations.list.js';
import {
  insertRevocation,
  lockCertificate,
  lockRevocationLists,
  markStopped,
  ownCertificates,
  updateCertificateStatus,
  type LockedCertificate,
  type OwnCertificateRow,
} from './revocations.repo.js';

export type { OwnCertificateRow, ReportReason, RevocationDeltaView, RevocationListView };

/** Most certificates {@link RevocationsService.certificates} lists. */
export const OWN_CERTIFICATES_MAX = 100;

/** What to revoke, and why. */
export interface RevokeInput {
  serial: number;
  reason: RevocationReason;
  /** The stored fraud proof (`fraud_proofs.id`); required for, and only for, reason `fraud`. */
  fraudProofId?: bigint;
}

/** A certificate's state after a close or revocation. */
export interface RevocationOutcome {
  serial: number;
  kind: 'payer' | 'payee';
  status: CertificateStatus;
  /** When it stopped being active (the first close or revocation; never moves afterwards). */
  closedAt: Date;
  /** The reason on record: the first revocation's, when the serial was revoked before. */
  reason: RevocationReason;
  /** True when this call recorded the revocation; false when it was already recorded. */
  revokedNow: boolean;
  /** Sequence number of the list this call published; null when it published none. */
  publishedSeq: number | null;
  /** When the certificate's device was first reported lost or stolen; null if never. */
  reportedAt: Date | null;
  /**
   * True when this call ended every session of the certificate's owner: the first compromise of
   * the certificate (an owner's report or an operator's revocation as compromised). A repeated
   * report ends none — the first one already did (docs/threat-model.md §4.1).
   */
  signedOut: boolean;
}

/** Closing, revoking, and the signed list. */
export interface RevocationsService {
  /**
   * Closes the caller's own certificate: revoked with reason `closed`; releases nothing (the
   * reserve returns at expiresAt + grace). Closing again answers the same state.
   * @throws BANK_CERTIFICATE_NOT_FOUND (also for another user's certificate)
   */
  close(userId: string, serial: number): Promise<RevocationOutcome>;
  /**
   * Revokes a payer or payee certificate inside the caller's transaction `tx` (settlement and
   * fraud reports call it with a fraud proof). Idempotent per serial: a second call records
   * nothing and publishes nothing, but a fraud or compromise still turns a closed certificate's
   * status to `revoked`. Revoking a payer certificate publishes the next signed revocation list in
   * `tx`. The first compromise of a certificate ends every session of its owner, as a report does.
   * Lock order: it takes the owner's user row (a compromise), the revocation-list lock and then
   * the audit head, so call it after locking certificate rows and accounts and before any
   * `audit.append` in the same transaction.
   * @throws BANK_CERTIFICATE_NOT_FOUND; TypeError when `fraudProofId` is given without reason
   * `fraud` or missing with it.
   */
  revoke(tx: Queryable, input: RevokeInput): Promise<RevocationOutcome>;
  /**
   * The owner reports the device holding their certificate (payer or payee) lost or stolen: it
   * is revoked as compromised at once — on the revocation list if a payer's, and nothing beyond
   * its reserve is recovered for payments settled from now on; a till's own key settles nothing
   * any more (docs/threat-model.md "Liability"). The first report also ends every session of the
   * owner, the caller's included (docs/threat-model.md §4.1: the lost device's tab holds one).
   * Idempotent: a second report answers the first, and ends no session again.
   * @throws BANK_CERTIFICATE_NOT_FOUND (also for another user's certificate)
   */
  report(userId: string, serial: number, reason: ReportReason): Promise<RevocationOutcome>;
  /** The user's certificates, newest first, at most {@link OWN_CERTIFICATES_MAX}. */
  certificates(userId: string): Promise<OwnCertificateRow[]>;
  /** The latest signed revocation list (the empty list 0 is published on first use). */
  revocationList(): Promise<RevocationListView>;
  /**
   * The signed delta from list `since` to the latest list (docs/protocol.md §11.1); null when the
   * device must take the full list instead (`since` unknown, too old, or too many changes since).
   */
  revocationDelta(since: number): Promise<RevocationDeltaView | null>;
}

/** Dependencies of {@link createRevocationsService}. */
export interface RevocationsDeps extends Pick<RevocationListDeps, 'observeList'> {
  db: Database;
  audit: AuditLog;
  keyring: BankKeyring;
  now: () => Date;
  /** Shared cache of the latest revocation list; absent → GET /v1/revocations asks Postgres. */
  cache?: Cache;
  /**
   * Ends every session of a user inside `tx` (the auth service's `endSessions`); false when there
   * is no such user.
   */
  endSessions: (tx: Queryable, userId: string) => Promise<boolean>;
}

type Deps = RevocationsDeps & RevocationListDeps;

/** The part of a revocation after the certificate row is locked. */
async function applyRevocation(
  deps: Deps,
  tx: Queryable,
  cert: LockedCertificate,
  input: RevokeInput,
): Promise<RevocationOutcome> {
  // docs/threat-model.md §4.1: the lost device's tab holds the owner's bank session, so the first
  // compromise ends every session of the owner, committed with the revocation. The user row is
  // locked here, before the list lock and the audit head (logout locks it before the audit head).
  const compromised = input.reason === 'compromised';
  const signedOut =
    compromised && cert.reportedAt === null ? await deps.endSessions(tx, cert.userId) : false;
  // Lock order everywhere: certificate rows, accounts, this lock, then the audit head (taken by
  // audit.append). Taking it first here keeps that order even for a payee revocation.
  await lockRevocationLists(tx);
  const now = deps.now();
  const status = statusAfter(cert.status, input.reason);
  const closedAt = cert.closedAt ?? now;
  if (status !== cert.status || cert.closedAt === null)
    await updateCertificateStatus(tx, { kind: cert.kind, serial: cert.serial, status, closedAt });
  // docs/threat-model.md "Liability": a close or a compromise report ends recovery beyond the
  // reserve, whatever revoked the certificate before (a fraud revocation leaves it running).
  if (endsRecovery(input.reason))
    await markStopped(tx, { kind: cert.kind, serial: cert.serial, at: now, compromised });
  const recorded = await insertRevocation(tx, {
    serial: cert.serial,
    reason: input.reason,
    fraudProofId: input.fraudProofId ?? null,
    at: now,
  });
  // Receivers only ever check payer serials (docs/protocol.md §6 step 6).
  const publishedSeq =
    recorded.inserted && cert.kind === 'payer' ? await publishRevocationList(deps, tx) : null;
  if (recorded.inserted) {
    await deps.audit.append(tx, {
      actor: 'bank',
      action: 'certificate.revoked',
      data: { serial: String(cert.serial), kind: cert.kind, reason: input.reason },
    });
  }
  if (signedOut) {
    await deps.audit.append(tx, {
      actor: 'bank',
      action: 'user.sessions_ended',
      data: { user: cert.userId, serial: String(cert.serial), kind: cert.kind },
    });
  }
  return {
    serial: cert.serial,
    kind: cert.kind,
    status,
    closedAt,
    reason: recorded.reason,
    revokedNow: recorded.inserted,
    publishedSeq,
    reportedAt: cert.reportedAt ?? (compromised ? now : null),
    signedOut,
  };
}

function notFound(serial: number, message: string): never {
  bankFail('BANK_CERTIFICATE_NOT_FOUND', message, { serial: String(serial) });
}

/**
 * Builds the service and makes sure a signed revocation list exists (list 0, empty, on a new
 * bank), so receivers can fetch one from the first request on.
 */
export async function createRevocationsService(
  input: RevocationsDeps,
): Promise<RevocationsService> {
  const deps: Deps = {
    ...input,
    ...(input.cache ? { listCache: revocationListCache(input.cache) } : {}),
  };
  const revocationList = latestListReader(deps);
  const delta = deltaReader(deps.db, deps.keyring);
  await revocationList();
  return {
    close: (userId, serial) =>
      deps.db.transaction(async (tx) => {
        const cert = await lockCertificate(tx, serial);
        // Another user's certificate looks exactly like a missing one.
        if (!cert || cert.userId !== userId)
          notFound(serial, `You have no certificate with serial ${serial}`);
        return applyRevocation(deps, tx, cert, { serial, reason: 'closed' });
      }),
    report: (userId, serial, reason) =>
      deps.db.transaction(async (tx) => {
        const cert = await lockCertificate(tx, serial);
        if (!cert || cert.userId !== userId)
          notFound(serial, `You have no certificate with serial ${serial}`);
        const outcome = await applyRevocation(deps, tx, cert, { serial, reason: 'compromised' });
        // The owner's report is audited once, with what they said happened.
        if (cert.reportedAt === null) {
          await deps.audit.append(tx, {
            actor: `user:${userId}`,
            action: 'certificate.reported',
            data: { serial: String(serial), kind: cert.kind, reason },
          });
        }
        return outcome;
      }),
    certificates: (userId) => ownCertificates(deps.db, userId, OWN_CERTIFICATES_MAX),
    async revoke(tx, revocation) {
      checkRevocationInput(revocation.reason, revocation.fraudProofId);
      const cert = await lockCertificate(tx, revocation.serial);
      if (!cert) notFound(revocation.serial, `No certificate has serial ${revocation.serial}`);
      return applyRevocation(deps, tx, cert, revocation);
    },
    revocationList,
    revocationDelta: async (since) => delta(since, await revocationList()),
  };
}

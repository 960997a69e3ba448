/**
 * Revocation (DESIGN.md §3 "Fraud proofs", "Expiry"; docs/protocol.md §11): a revoked or closed
 * certificate is recorded once, and every revocation of a payer certificate publishes a new
 * bank-signed list in the same transaction, so the list and the database never disagree.
 */
import {
  encodeRevocationList,
  LIMITS,
  signRevocationList,
  verifyRevocationList,
} from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import { afterCommit } from '../../kv/after-commit.js';
import type { ReadThroughCache } from '../../kv/read-through.js';
import { bankFail } from '../../errors.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { protocolSigner, trustedSignKeys } from '../keys/keys.signer.js';
import {
  checkRevocationInput,
  releaseCutoff,
  statusAfter,
  unixSeconds,
  type CertificateStatus,
  type RevocationReason,
} from './certificates.domain.js';
import { insertRevocation, lockCertificate, updateCertificateStatus } from './certificates.repo.js';
import {
  insertRevocationList,
  latestRevocationList,
  lockRevocationLists,
  revokedPayerSerials,
  type StoredRevocationList,
} from './certificates.revocations.repo.js';
import { LATEST_LIST } from './certificates.revocation-cache.js';

/** What to revoke, and why. */
export interface RevokeInput {
  serial: number;
  reason: RevocationReason;
  /** The stored fraud proof (`fraud_proofs.id`); required for, and only for, reason `fraud`. */
  fraudProofId?: bigint;
}

/** A certificate's state after {@link RevocationDeps} `revoke`. */
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
}

/** The latest signed revocation list, decoded. */
export interface RevocationListView {
  seq: number;
  issuedAt: Date;
  serials: number[];
  signed: Uint8Array;
}

/** What revocation needs. */
export interface RevocationDeps {
  db: Database;
  audit: AuditLog;
  keyring: BankKeyring;
  now: () => Date;
  /** The shared cache of the latest list; absent → every read asks Postgres. */
  listCache?: ReadThroughCache<StoredRevocationList>;
}

/**
 * Signs and stores the next list inside `tx`: every revoked payer serial that could still
 * settle. Takes the publishers' lock first, so sequence numbers never repeat.
 */
export async function publishRevocationList(deps: RevocationDeps, tx: Queryable): Promise<number> {
  await lockRevocationLists(tx);
  const now = deps.now();
  const latest = await latestRevocationList(tx);
  const seq = latest ? latest.seq + 1 : 0;
  const serials = await revokedPayerSerials(tx, releaseCutoff(now), LIMITS.revocationListEntries);
  const list = signRevocationList(
    { seq, issuedAt: unixSeconds(now), serials },
    protocolSigner(deps.keyring),
  );
  await insertRevocationList(tx, { seq, signed: encodeRevocationList(list), at: now });
  const { listCache } = deps;
  // After COMMIT, so no instance can cache the previous list again (kv/read-through.ts).
  if (listCache) await afterCommit(tx, () => listCache.invalidate(LATEST_LIST));
  return seq;
}

/**
 * Revokes a certificate inside the caller's transaction; idempotent per serial.
 * @throws BANK_CERTIFICATE_NOT_FOUND; TypeError when `fraudProofId` and `reason` disagree.
 */
export async function revoke(
  deps: RevocationDeps,
  tx: Queryable,
  input: RevokeInput,
): Promise<RevocationOutcome> {
  checkRevocationInput(input.reason, input.fraudProofId);
  const cert = await lockCertificate(tx, input.serial);
  if (!cert)
    bankFail('BANK_CERTIFICATE_NOT_FOUND', `No certificate has serial ${input.serial}`, {
      serial: String(input.serial),
    });
  return applyRevocation(deps, tx, cert, input);
}

/** The part of {@link revoke} after the certificate row is locked. */
export async function applyRevocation(
  deps: RevocationDeps,
  tx: Queryable,
  cert: {
    kind: 'payer' | 'payee';
    serial: number;
    status: CertificateStatus;
    closedAt: Date | null;
  },
  input: RevokeInput,
): Promise<RevocationOutcome> {
  // Lock order everywhere: certificate rows, accounts, this lock, then the audit head (taken by
  // audit.append). Taking it first here keeps that order even for a payee revocation.
  await lockRevocationLists(tx);
  const now = deps.now();
  const status = statusAfter(cert.status, input.reason);
  const closedAt = cert.closedAt ?? now;
  if (status !== cert.status || cert.closedAt === null)
    await updateCertificateStatus(tx, { kind: cert.kind, serial: cert.serial, status, closedAt });
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
  return {
    serial: cert.serial,
    kind: cert.kind,
    status,
    closedAt,
    reason: recorded.reason,
    revokedNow: recorded.inserted,
    publishedSeq,
  };
}

/**
 * Reads the latest list, publishing the empty list 0 first if none exists. Decoded lists are
 * kept by sequence number: the stored bytes are verified once, then served from memory.
 */
export function latestListReader(deps: RevocationDeps): () => Promise<RevocationListView> {
  let cached: RevocationListView | null = null;
  const { listCache } = deps;
  return async () => {
    const stored = listCache
      ? await listCache.get(LATEST_LIST, () => storedLatestList(deps))
      : await storedLatestList(deps);
    if (cached?.seq === stored.seq) return cached;
    try {
      cached = verifiedView(deps, stored);
    } catch (err) {
      if (!listCache) throw err;
      // A damaged cache entry must not break the endpoint: Postgres answers instead.
      await listCache.invalidate(LATEST_LIST);
      cached = verifiedView(deps, await storedLatestList(deps));
    }
    return cached;
  };
}

/** Verifying our own bytes catches a corrupted row before a receiver does. */
function verifiedView(deps: RevocationDeps, stored: StoredRevocationList): RevocationListView {
  const list = verifyRevocationList(stored.signed, trustedSignKeys(deps.keyring));
  return {
    seq: list.seq,
    issuedAt: new Date(list.issuedAt * 1000),
    serials: list.serials,
    signed: stored.signed,
  };
}

/** The latest list in Postgres, publishing the empty list 0 first if none exists. */
async function storedLatestList(deps: RevocationDeps): Promise<StoredRevocationList> {
  let stored = await latestRevocationList(deps.db);
  if (!stored) {
    await deps.db.transaction(async (tx) => {
      await lockRevocationLists(tx);
      if (!(await latestRevocationList(tx))) await publishRevocationList(deps, tx);
    });
    stored = await latestRevocationList(deps.db);
  }
  if (!stored) throw new Error('no revocation list after publishing one');
  return stored;
}

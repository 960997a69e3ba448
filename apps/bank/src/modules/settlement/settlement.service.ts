/**
 * Settlement (DESIGN.md §5, docs/protocol.md §9–10): open and check a sealed batch, then apply
 * the settlement rule in ONE database transaction — all of it or none of it. The bank derives the
 * batch key itself; an equal batch gets the stored result whatever key it carries.
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  decodePayerCertificate,
  decodeSettlementBatch,
  decodeSettlementResult,
  encodeSettlementResult,
  signSettlementResult,
  type BankKeys,
  type FraudKind,
  type SettlementBatch,
  type SettlementResult,
  type Verifier,
} from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import { protocolSigner, trustedSignKeys } from '../keys/keys.signer.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { decideSettlement, type BatchEntry, type CertState } from './settlement.domain.js';
import * as repo from './settlement.repo.js';
import {
  checkIdempotencyKey,
  checkPayee,
  findPayee,
  openBatch,
  unix,
} from './settlement.intake.js';
import { verifyEntriesInThread } from './settlement.verify.js';
import { recordFrauds, writeOutcomes } from './settlement.writes.js';

/** Revokes a certificate inside the caller's transaction (the certificates module's job). */
export type Revoke = (
  tx: Queryable,
  input: { serial: number; reason: 'fraud'; fraudProofId: bigint },
) => Promise<void>;

/** What settling a batch answers. */
export interface SettleOutcome {
  result: SettlementResult;
  signed: Uint8Array;
  /** True when this batch was settled before and the stored result is returned. */
  replayed: boolean;
}

/** Settlement operations. */
export interface SettlementService {
  /**
   * Settles a sealed batch (`[1, kemKid, sealed]`).
   * @throws PROTO_* for batches that cannot be opened or read, BANK_UNKNOWN_PAYEE,
   * BANK_PAYEE_REVOKED, BANK_PAYEE_EXPIRED, PROTO_SIGNATURE_INVALID, PROTO_BATCH_HEAD_MISMATCH,
   * BANK_IDEMPOTENCY_KEY_INVALID, BANK_IDEMPOTENCY_KEY_MISMATCH, BANK_BATCH_NOT_CONTINUOUS
   */
  settle(sealedBatch: Uint8Array, idempotencyKey?: string): Promise<SettleOutcome>;
  /** The stored signed result of a batch. @throws BANK_SETTLEMENT_NOT_FOUND */
  result(batchKey: Uint8Array): Promise<Omit<SettleOutcome, 'replayed'>>;
}

/**
 * Checks every entry's certificate and payer signatures (CPU-bound; no lock is held). The default
 * runs in this thread; a worker pool can take its place.
 */
export type EntryVerifier = (batch: SettlementBatch, bankKeys: BankKeys) => Promise<BatchEntry[]>;

/** What settlement reports as it works: for metrics and live events. Every method is optional. */
export interface SettlementObserver {
  /** Seconds spent in one phase of a batch. */
  phase?(name: 'open' | 'verify' | 'transaction', seconds: number): void;
  /** A batch was answered: settled now, or replayed from the stored result. */
  answered?(info: {
    payeeSerial: number;
    result: SettlementResult;
    signed: Uint8Array;
    replayed: boolean;
  }): void;
  /** A fraud proof was stored (inside the batch's transaction) and its certificate revoked. */
  fraudProof?(info: {
    serial: number;
    kind: FraudKind;
    paymentIds: [Uint8Array, Uint8Array];
    proofId: bigint;
  }): void;
}

/**
 * Signed results by batch key, in front of Postgres (the idempotency fast path). `get` answers
 * null on a miss or any failure and `put` never rejects: the cache never changes an answer.
 */
export interface SettlementResultCache {
  get(batchKey: Uint8Array): Promise<Uint8Array | null>;
  put(batchKey: Uint8Array, signed: Uint8Array): Promise<void>;
}

/**
 * An advisory per-payee lock in front of the Postgres row lock, so instances do not pile up on
 * one payee's row. `acquire` never rejects (it may grant nothing); correctness never depends on it.
 */
export interface SettlementPayeeLock {
  acquire(payeeSerial: number): Promise<() => Promise<void>>;
}

/** Dependencies of {@link createSettlementService}. */
export interface SettlementDeps {
  db: Database;
  keyring: BankKeyring;
  accounts: AccountsService;
  audit: AuditLog;
  verifier: Verifier;
  revoke: Revoke;
  now: () => Date;
  /** Default: {@link verifyEntriesInThread} with `verifier`. */
  verifyEntries?: EntryVerifier;
  observer?: SettlementObserver;
  /** Fast path: consulted before Postgres, filled after a batch is answered. */
  resultCache?: SettlementResultCache;
  /** Fast path: taken around the settlement transaction. */
  payeeLock?: SettlementPayeeLock;
}

/** Builds the settlement service. */
export function createSettlementService(deps: SettlementDeps): SettlementService {
  return {
    async settle(sealedBatch, idempotencyKey) {
      const timer = phaseTimer(deps.observer);
      const batch = decodeSettlementBatch(await openBatch(deps.keyring, sealedBatch));
      checkIdempotencyKey(idempotencyKey, batch.batchKey);
      const payee = await findPayee(deps, batch);
      // An equal batch gets the stored result whatever happened since (DESIGN §5): it is checked
      // before the payee's current standing, which only gates new settlements.
      const cached = (await deps.resultCache?.get(batch.batchKey)) ?? null;
      const stored = cached ?? (await repo.findResult(deps.db, batch.batchKey));
      if (!stored) checkPayee(deps, batch, payee);
      timer('open');
      const outcome = stored ? replay(stored) : await verifyAndSettle(deps, batch, payee, timer);
      if (!cached) await deps.resultCache?.put(batch.batchKey, outcome.signed);
      deps.observer?.answered?.({ payeeSerial: payee.serial, ...outcome });
      return outcome;
    },
    async result(batchKey) {
      const stored = await repo.findResult(deps.db, batchKey);
      if (!stored) bankFail('BANK_SETTLEMENT_NOT_FOUND', 'No settled batch has this key');
      return { result: decodeSettlementResult(stored), signed: stored };
    },
  };
}

async function verifyAndSettle(
  deps: SettlementDeps,
  batch: SettlementBatch,
  payee: repo.PayeeRow,
  timer: (phase: 'open' | 'verify' | 'transaction') => void,
): Promise<SettleOutcome> {
  const bankKeys = trustedSignKeys(deps.keyring);
  const entries = deps.verifyEntries
    ? await deps.verifyEntries(batch, bankKeys)
    : verifyEntriesInThread(batch, bankKeys, deps.verifier);
  timer('verify');
  const release = await deps.payeeLock?.acquire(payee.serial);
  try {
    const outcome = await deps.db.transaction((tx) => settleInTx(deps, tx, batch, payee, entries));
    timer('transaction');
    return outcome;
  } finally {
    await release?.();
  }
}

/** Reports the seconds since the previous mark, per phase. */
function phaseTimer(observer: SettlementObserver | undefined) {
  let last = performance.now();
  return (phase: 'open' | 'verify' | 'transaction') => {
    const now = performance.now();
    observer?.phase?.(phase, (now - last) / 1000);
    last = now;
  };
}

function replay(signed: Uint8Array): SettleOutcome {
  // Stored results were signed by this bank; decoding them again fails only on corruption.
  return { result: decodeSettlementResult(signed), signed, replayed: true };
}

async function settleInTx(
  deps: SettlementDeps,
  tx: Queryable,
  batch: SettlementBatch,
  payee: repo.PayeeRow,
  entries: BatchEntry[],
): Promise<SettleOutcome> {
  const head = await repo.lockPayeeHead(tx, payee.serial);
  // Under the payee's lock: an equal batch settled meanwhile answers with its stored result.
  const stored = await repo.findResult(tx, batch.batchKey);
  if (stored) return replay(stored);
  if (!head || head.nextIndex !== batch.fromIndex || !equalBytes(head.head, batch.prevHead)) {
    bankFail('BANK_BATCH_NOT_CONTINUOUS', 'The batch does not continue from the settled head', {
      expectedFromIndex: head?.nextIndex ?? 0,
      expectedPrevHead: head ? toHex(head.head) : '',
    });
  }
  const serials = [
    ...new Set(entries.filter((e) => !e.signatureCode).map((e) => e.payment.serial)),
  ].sort((a, b) => a - b);
  const certs = await repo.lockPayerCerts(tx, serials);
  // The clock is read under the certificate locks, so a reserve released meanwhile is seen expired.
  const now = deps.now();
  const decision = decideSettlement({
    payee: { kid: batch.payeeKid, currency: payee.currency },
    entries,
    certs: new Map(certs.map((c) => [c.serial, certState(c)])),
    settled: await repo.settledLinks(tx, serials),
    settledIds: await repo.settledAmong(
      tx,
      batch.entries.map((p) => p.paymentId),
    ),
    available: new Map(certs.map((c) => [c.customerAccountId, c.available])),
    now: unix(now),
  });
  const result = signSettlementResult(
    {
      payeeKid: batch.payeeKid,
      batchKey: batch.batchKey,
      fromIndex: batch.fromIndex,
      results: decision.outcomes.map((o) => ({
        index: o.index,
        paymentId: o.payment.paymentId,
        status: o.status,
        code: o.code,
      })),
      head: batch.head,
      settledAt: unix(now),
    },
    protocolSigner(deps.keyring),
  );
  const signed = encodeSettlementResult(result);
  const settlementId = await repo.insertSettlement(tx, {
    payeeSerial: payee.serial,
    batchKey: batch.batchKey,
    result: signed,
  });
  await writeOutcomes(deps, tx, { payee, certs, decision, settlementId, now });
  await recordFrauds(deps, tx, decision, batch);
  await repo.updatePayeeHead(tx, payee.serial, {
    nextIndex: batch.fromIndex + batch.entries.length,
    head: batch.head,
  });
  await deps.audit.append(tx, {
    actor: `payee:${payee.serial}`,
    action: 'settlement',
    data: {
      batchKey: toHex(batch.batchKey),
      entries: batch.entries.length,
      settled: decision.outcomes.filter((o) => o.status === 'settled').length,
    },
  });
  return { result, signed, replayed: false };
}

function certState(c: repo.LockedCert): CertState & { accountId: string } {
  return {
    serial: c.serial,
    accountId: c.customerAccountId,
    currency: c.currency,
    limit: c.limit,
    settled: c.settled,
    certTbs: decodePayerCertificate(c.certTbsSource).tbs,
    released: c.released,
    proven: c.proven,
  };
}

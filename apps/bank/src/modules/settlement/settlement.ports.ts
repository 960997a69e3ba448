/**
 * What settlement needs from the rest of the bank, and what its phases share. Everything outside
 * the module reaches settlement through these types, handed in by plugins/services.ts; nothing
 * here imports a phase, so the phases and the service form no cycle.
 */
import type {
  BankKeys,
  FraudKind,
  FraudProof,
  SettlementBatch,
  SettlementResult,
  Verifier,
} from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import type { WebhookOutbox } from '../webhooks/webhooks.ports.js';
import type { BatchEntry } from './settlement.domain.js';

/** What settling a batch answers. */
export interface SettleOutcome {
  result: SettlementResult;
  signed: Uint8Array;
  /** True when this batch was settled before and the stored result is returned. */
  replayed: boolean;
}

/**
 * Checks every entry's certificate and payer signatures (CPU-bound; no lock is held). The default
 * runs in this thread; the worker pool (verify/pool.ts) can take its place.
 */
export type EntryVerifier = (batch: SettlementBatch, bankKeys: BankKeys) => Promise<BatchEntry[]>;

/**
 * Stores a fraud proof found in a batch and revokes its certificate, inside the batch's
 * transaction, unless the certificate has a stored proof already (then `stored` is false and
 * nothing is written); returns the proof's id (the fraud module's `record`).
 */
export type RecordFraudProof = (
  tx: Queryable,
  proof: FraudProof,
) => Promise<{ id: bigint; stored: boolean }>;

/** The phases of a batch that settlement times. */
export type SettlementPhase = 'open' | 'verify' | 'transaction';

/** What settlement reports as it works: for metrics and live events. Every method is optional. */
export interface SettlementObserver {
  /** Seconds spent in one phase of a batch. */
  phase?(name: SettlementPhase, seconds: number): void;
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
  /** The batch's transaction failed for a reason outside it and is run again (db/retry.ts). */
  retried?(reason: 'conflict' | 'connection'): void;
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

/** Dependencies of the settlement service. */
export interface SettlementDeps {
  db: Database;
  keyring: BankKeyring;
  accounts: Pick<AccountsService, 'prepare' | 'lock' | 'forgetBalances'>;
  audit: AuditLog;
  verifier: Verifier;
  recordFraudProof: RecordFraudProof;
  now: () => Date;
  /** Default: `verifyEntriesInThread` with `verifier`. */
  verifyEntries?: EntryVerifier;
  observer?: SettlementObserver;
  /** Fast path: consulted before Postgres, filled after a batch is answered. */
  resultCache?: SettlementResultCache;
  /** Fast path: taken around the settlement transaction. */
  payeeLock?: SettlementPayeeLock;
  /** Writes the settlement.settled webhook event in the batch's transaction; absent → none. */
  outbox?: WebhookOutbox;
  /**
   * The recovery cap in percent of each certificate's limit (recovery.domain.ts,
   * RECOVERY_CAP_PERCENT); absent → 100, the limit once more.
   */
  recoveryCapPercent?: number;
}

/**
 * Settlement (DESIGN.md §5, docs/protocol.md §9–10): a sealed batch in, the bank-signed result
 * out, applied in ONE database transaction — all of it or none of it. The bank derives the batch
 * key itself; an equal batch gets the stored result whatever key it carries.
 *
 * A batch's path:
 * 1. open    settlement.open.ts    decrypt, decode, check the Idempotency-Key
 * 2. admit   settlement.admit.ts   the payee is known, signed the batch and may settle — unless the
 *                                  batch was settled before: then its stored result is the answer
 * 3. verify  settlement.verify.ts  every entry's certificate and payer signature, outside any lock
 *                                  (verify/: the same check on worker threads for large batches)
 * 4. decide  settlement.domain.ts  under the payee's and the certificates' row locks, the
 *                                  settlement rule: settled, duplicate or rejected, and the money
 * 5. record  settlement.record.ts  the signed result, payments, transfers, fraud proofs, new head
 */
import { equalBytes, toHex } from '@offpay/crypto';
import {
  decodePayerCertificate,
  decodeSettlementResult,
  readSettlementBatch,
  type Payment,
  type SettlementBatch,
  type SettlementBatchReading,
} from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { isTransactionConflict } from '../../db/errors.js';
import { retryingTransaction } from '../../db/retry.js';
import { bankFail } from '../../errors.js';
import { unixSeconds } from '../../time.js';
import { signKeysFor } from '../keys/keys.signer.js';
import { admitPayee, findPayee } from './settlement.admit.js';
import { decideSettlement, type BatchEntry, type CertState } from './settlement.domain.js';
import { checkIdempotencyKey, openBatch } from './settlement.open.js';
import type {
  SettleOutcome,
  SettlementDeps,
  SettlementObserver,
  SettlementPhase,
} from './settlement.ports.js';
import { recordSettlement, type UndecodedEntry } from './settlement.record.js';
import { DEFAULT_RECOVERY_CAP_PERCENT, recoveryCap } from './recovery.domain.js';
import * as repo from './settlement.repo.js';
import { verifyEntriesInThread } from './settlement.verify.js';

export type { SettleOutcome, SettlementDeps };

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

/** Builds the settlement service. */
export function createSettlementService(deps: SettlementDeps): SettlementService {
  return {
    async settle(sealedBatch, idempotencyKey) {
      const timer = phaseTimer(deps.observer);
      // docs/protocol.md §9.3: a fault of the batch itself refuses it whole (thrown here); an
      // entry whose payment does not decode is rejected alone, with its code.
      const batch = readSettlementBatch(await openBatch(deps.keyring, sealedBatch));
      checkIdempotencyKey(idempotencyKey, batch.batchKey);
      // An equal batch gets the stored result whatever happened since (DESIGN §5): it is checked
      // before the payee's current standing, which only gates new settlements. The cache and the
      // one Postgres read (payee and stored result) are asked at once.
      const [cachedResult, found] = await Promise.all([
        deps.resultCache?.get(batch.batchKey),
        findPayee(deps.db, batch),
      ]);
      const { payee } = found;
      const cached = cachedResult ?? null;
      const stored = cached ?? found.stored;
      if (!stored) admitPayee(batch, payee, deps.verifier, deps.now());
      timer('open');
      const outcome = stored ? replay(stored) : await verifyAndSettle(deps, batch, payee, timer);
      if (!cached) await deps.resultCache?.put(batch.batchKey, outcome.signed);
      // A replay read from Postgres may follow an instance that died between its COMMIT and its
      // cache invalidation (kill -9, lost host): the payee re-reads balances that include it.
      if (outcome.replayed && !cached) await deps.accounts.forgetBalances([payee.accountId]);
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

/**
 * The batch with the entries whose payment decoded, and the others with their decoding codes
 * (docs/protocol.md §9.4 step 12a).
 */
function splitEntries(reading: SettlementBatchReading): {
  batch: SettlementBatch;
  indexes: number[];
  undecoded: UndecodedEntry[];
} {
  const payments: Payment[] = [];
  const indexes: number[] = [];
  const undecoded: UndecodedEntry[] = [];
  for (const e of reading.entries) {
    if (e.payment) {
      payments.push(e.payment);
      indexes.push(e.index);
    } else {
      const code = e.refusal.code;
      undecoded.push({ index: e.index, paymentId: e.paymentId, code });
    }
  }
  return { batch: { ...reading, entries: payments }, indexes, undecoded };
}

async function verifyAndSettle(
  deps: SettlementDeps,
  reading: SettlementBatchReading,
  payee: repo.PayeeRow,
  timer: (phase: SettlementPhase) => void,
): Promise<SettleOutcome> {
  const { batch, indexes, undecoded } = splitEntries(reading);
  // Certificates issued by a key another instance just made load it first (DB as truth): a
  // rejection for a kid this instance merely had not loaded would be stored and replayed.
  const issuers = batch.entries.map((p) => p.payerCert.issuerKid);
  const bankKeys = await signKeysFor(deps.keyring, issuers);
  // The pool hands the payer signatures to its workers before its first await; the payment rows
  // are computed here meanwhile — for every decoded entry, as most will settle — before any lock.
  const verifying = deps.verifyEntries?.(batch, bankKeys);
  repo.preparePayments(batch.entries);
  const verified = (await verifying) ?? verifyEntriesInThread(batch, bankKeys, deps.verifier);
  // The verifier numbers the decoded entries consecutively; each keeps its ledger index (the
  // same numbers when every entry decoded: no copy then).
  const entries =
    undecoded.length === 0
      ? verified
      : verified.map((e, k) => ({ ...e, index: indexes[k] ?? e.index }));
  timer('verify');
  const release = await deps.payeeLock?.acquire(payee.serial);
  try {
    // Safe to run again (db/retry.ts): the transaction is idempotent by its batch key. A conflict
    // committed nothing; after a lost connection the COMMIT may have happened, and then the
    // re-run finds the stored result under the payee's head lock and answers it (settleInTx).
    // Nothing outside Postgres happens inside it: Redis and events come after the commit.
    const outcome = await retryingTransaction(
      deps.db,
      (tx) => settleInTx(deps, tx, { batch, undecoded }, payee, entries),
      (err) => deps.observer?.retried?.(isTransactionConflict(err) ? 'conflict' : 'connection'),
    );
    timer('transaction');
    return outcome;
  } finally {
    await release?.();
  }
}

/**
 * The settlement transaction alone (phases 4 and 5, as `settle` runs them) for a batch that was
 * opened, admitted and verified already: every entry is taken as correctly signed. Only for
 * bench/postgres.bench.ts, which measures what Postgres sustains without HTTP, HPKE and
 * signature checks in front of it.
 */
export function settleVerified(
  deps: SettlementDeps,
  reading: SettlementBatchReading,
  payee: repo.PayeeRow,
): Promise<SettleOutcome> {
  const { batch, indexes, undecoded } = splitEntries(reading);
  const entries = batch.entries.map((payment, k) => ({
    index: indexes[k]!,
    payment,
    signatureCode: null,
  }));
  return retryingTransaction(deps.db, (tx) =>
    settleInTx(deps, tx, { batch, undecoded }, payee, entries),
  );
}

/** Reports the seconds since the previous mark, per phase. */
function phaseTimer(observer: SettlementObserver | undefined) {
  let last = performance.now();
  return (phase: SettlementPhase) => {
    const now = performance.now();
    observer?.phase?.(phase, (now - last) / 1000);
    last = now;
  };
}

function replay(signed: Uint8Array): SettleOutcome {
  // Stored results were signed by this bank; decoding them again fails only on corruption.
  return { result: decodeSettlementResult(signed), signed, replayed: true };
}

/** Phases 4 and 5, under the payee's row lock. */
async function settleInTx(
  deps: SettlementDeps,
  tx: Queryable,
  { batch, undecoded }: { batch: SettlementBatch; undecoded: UndecodedEntry[] },
  payee: repo.PayeeRow,
  entries: BatchEntry[],
): Promise<SettleOutcome> {
  const payments = entries.filter((e) => !e.signatureCode).map((e) => e.payment);
  // The payers' settled links are read BEFORE their certificates are locked — the lock is held
  // from here to COMMIT, and batches of other payees sharing these payers queue on it — in the
  // head lock's own statement, and made exact after: a serial whose certificate row changed
  // meanwhile is read again under the lock (settledLinksChecked). Double spends still meet on the
  // certificate rows.
  const locked = await repo.lockPayeeHead(tx, payee.serial, batch.batchKey, payments);
  const { head, stored, settlementId, unlocked } = locked;
  // Under the payee's lock: an equal batch settled meanwhile answers with its stored result. One
  // that committed while this statement waited for the lock moved the head but is not in its
  // snapshot: a head that does not continue is checked again for the result, in a new snapshot.
  if (stored) return replay(stored);
  if (!head || head.nextIndex !== batch.fromIndex || !equalBytes(head.head, batch.prevHead)) {
    const settled = await repo.findResult(tx, batch.batchKey);
    if (settled) return replay(settled);
    bankFail('BANK_BATCH_NOT_CONTINUOUS', 'The batch does not continue from the settled head', {
      expectedFromIndex: head?.nextIndex ?? 0,
      expectedPrevHead: head ? toHex(head.head) : '',
    });
  }
  const serials = [...new Set(payments.map((p) => p.serial))].sort((a, b) => a - b);
  const certs = await repo.lockPayerCerts(tx, serials);
  // Every account the batch may move money between — each certificate's reserve and customer
  // account and the payee's — locked in one statement in id order before the first transfer. Two
  // batches then never each hold accounts the other's later transfer needs (chunked transfers,
  // users who both pay and sell): they queue on the first shared account instead of deadlocking.
  // The payee head and the certificates are locked before, each in one sorted statement too.
  const balances = await deps.accounts.lock(tx, [
    payee.accountId,
    ...certs.flatMap((c) => [c.customerAccountId, c.reserveAccountId ?? []].flat()),
  ]);
  // The clock is read under the certificate locks, so a reserve released meanwhile is seen expired.
  const now = deps.now();
  // The payers' settled links that may conflict and the batch's duplicates, exact under the locks.
  const settled = await repo.settledLinksChecked(tx, payments, unlocked, certs);
  const decision = decideSettlement({
    payee: { kid: batch.payeeKid, currency: payee.currency },
    entries,
    certs: new Map(certs.map((c) => [c.serial, certState(c, deps.recoveryCapPercent)])),
    settled: settled.links,
    settledIds: settled.ids,
    // Read under the account locks: another batch recovering from the same payer has committed.
    available: new Map(certs.map((c) => [c.customerAccountId, balances.get(c.customerAccountId)!])),
    now: unixSeconds(now),
  });
  return recordSettlement(deps, tx, {
    batch,
    undecoded,
    payee,
    certs,
    decision,
    now,
    settlementId,
  });
}

function certState(
  c: repo.LockedCert,
  capPercent = DEFAULT_RECOVERY_CAP_PERCENT,
): CertState & { accountId: string } {
  return {
    serial: c.serial,
    accountId: c.customerAccountId,
    currency: c.currency,
    limit: c.limit,
    settled: c.settled,
    certTbs: decodePayerCertificate(c.certTbsSource).tbs,
    released: c.released,
    proven: c.proven,
    recoveryCap: recoveryCap(c.limit, capPercent),
    ...(c.recoveryEndedAt === null ? {} : { recoveryEndedAt: c.recoveryEndedAt }),
  };
}

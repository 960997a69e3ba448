/**
 * Settlement (DESIGN.md §5, docs/protocol.md §9–10): open and check a sealed batch, then apply
 * the settlement rule in ONE database transaction — all of it or none of it. The bank derives the
 * batch key itself; an equal batch gets the stored result whatever key it carries.
 */
import { equalBytes, isCryptoError, toHex } from '@offpay/crypto';
import {
  decodePayerCertificate,
  decodePayment,
  decodeSettlementBatch,
  decodeSettlementResult,
  encodeFraudProof,
  encodePayment,
  encodeSettlementResult,
  GRACE_SECONDS,
  isAppError,
  makeFraudProof,
  readSealedBatch,
  signSettlementResult,
  verifyCertificate,
  verifyPayerSignature,
  verifySettlementBatch,
  fail as protoFail,
  type BankKeys,
  type Payment,
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
import {
  decideSettlement,
  type BatchEntry,
  type CertState,
  type SettlementDecision,
} from './settlement.domain.js';
import * as repo from './settlement.repo.js';

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

/** Dependencies of {@link createSettlementService}. */
export interface SettlementDeps {
  db: Database;
  keyring: BankKeyring;
  accounts: AccountsService;
  audit: AuditLog;
  verifier: Verifier;
  revoke: Revoke;
  now: () => Date;
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/** Builds the settlement service. */
export function createSettlementService(deps: SettlementDeps): SettlementService {
  return {
    async settle(sealedBatch, idempotencyKey) {
      const batch = decodeSettlementBatch(await openBatch(deps.keyring, sealedBatch));
      checkIdempotencyKey(idempotencyKey, batch.batchKey);
      const payee = await checkPayee(deps, batch);
      const stored = await repo.findResult(deps.db, batch.batchKey);
      if (stored) return replay(stored);
      const entries = verifyEntries(batch, trustedSignKeys(deps.keyring), deps.verifier);
      return deps.db.transaction((tx) => settleInTx(deps, tx, batch, payee, entries));
    },
    async result(batchKey) {
      const stored = await repo.findResult(deps.db, batchKey);
      if (!stored) bankFail('BANK_SETTLEMENT_NOT_FOUND', 'No settled batch has this key');
      return { result: decodeSettlementResult(stored), signed: stored };
    },
  };
}

/**
 * Opens the sealed batch in the keyring; a failure to open is the protocol's code. A KEM kid this
 * instance does not know may have been made by another instance's rotation: reload once.
 */
async function openBatch(keyring: BankKeyring, sealedBatch: Uint8Array): Promise<Uint8Array> {
  const { kemKid, info, sealed } = readSealedBatch(sealedBatch);
  const known = keyring.list('kem').some((k) => equalBytes(k.kid, kemKid));
  if (!known) await keyring.reload();
  try {
    return keyring.openSealed(kemKid, info, sealed);
  } catch (e) {
    if (isCryptoError(e)) {
      protoFail(
        'PROTO_SEAL_OPEN_FAILED',
        'the settlement batch could not be opened: damaged or tampered',
      );
    }
    throw e;
  }
}

function checkIdempotencyKey(header: string | undefined, batchKey: Uint8Array): void {
  if (header === undefined) return;
  if (!/^[0-9a-fA-F]{64}$/.test(header)) {
    bankFail('BANK_IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 64 hexadecimal characters');
  }
  if (header.toLowerCase() !== toHex(batchKey)) {
    bankFail('BANK_IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key is not the key of this batch', {
      batchKey: toHex(batchKey),
    });
  }
}

/** The payee that signed the batch: known, current, and its signature and chain check out. */
async function checkPayee(deps: SettlementDeps, batch: SettlementBatch): Promise<repo.PayeeRow> {
  const payee = await repo.findPayeeByKid(deps.db, batch.payeeKid);
  if (!payee)
    bankFail('BANK_UNKNOWN_PAYEE', `No payee certificate has kid ${toHex(batch.payeeKid)}`);
  verifySettlementBatch(batch, payee.signKey, deps.verifier);
  if (payee.status !== 'active') {
    bankFail('BANK_PAYEE_REVOKED', `Payee certificate ${payee.serial} is ${payee.status}`);
  }
  if (unix(deps.now()) > payee.expiresAt + GRACE_SECONDS) {
    bankFail('BANK_PAYEE_EXPIRED', `Payee certificate ${payee.serial} has expired`);
  }
  return payee;
}

/**
 * Checks every entry's certificate and payer signatures before the transaction (CPU work holds
 * no lock). A certificate shared by many payments is verified once.
 */
function verifyEntries(
  batch: SettlementBatch,
  bankKeys: BankKeys,
  verifier: Verifier,
): BatchEntry[] {
  const certCodes = new Map<string, string | null>();
  return batch.entries.map((payment, i) => {
    const certId = toHex(payment.payerCert.tbs) + toHex(payment.payerCert.signature);
    let code = certCodes.get(certId);
    if (code === undefined) {
      code = codeOf(() => verifyCertificate(payment.payerCert, bankKeys, verifier));
      certCodes.set(certId, code);
    }
    code ??= codeOf(() => verifyPayerSignature(payment, verifier));
    return { index: batch.fromIndex + i, payment, signatureCode: code };
  });
}

/** The protocol code a check throws, or null when it passes. */
function codeOf(check: () => void): string | null {
  try {
    check();
    return null;
  } catch (e) {
    if (isAppError(e)) return e.code;
    throw e;
  }
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
  };
}

/** Rows and money for settled entries: one multi-row insert, one or two balanced transfers. */
async function writeOutcomes(
  deps: SettlementDeps,
  tx: Queryable,
  w: {
    payee: repo.PayeeRow;
    certs: repo.LockedCert[];
    decision: SettlementDecision;
    settlementId: bigint;
    now: Date;
  },
): Promise<void> {
  const settled = w.decision.outcomes.filter((o) => o.status === 'settled' && o.movement);
  if (settled.length === 0) return;
  await repo.insertSettledPayments(
    tx,
    w.payee.serial,
    w.settlementId,
    w.now,
    settled.map(({ payment: p }) => ({
      paymentId: p.paymentId,
      serial: p.serial,
      counter: p.counter,
      prev: p.prev,
      currency: p.payerCert.currency,
      amount: p.amount,
      spent: p.spent,
      signed: encodePayment(p),
      createdAt: p.createdAt,
    })),
  );
  const bySerial = new Map(w.certs.map((c) => [c.serial, c]));
  const fromReserve = new Map<string, bigint>();
  const fromAvailable = new Map<string, bigint>();
  const totals = new Map<number, bigint>();
  for (const { movement: m } of settled) {
    const cert = bySerial.get(m!.serial)!;
    if (m!.fromReserve > 0n) add(fromReserve, cert.reserveAccountId!, m!.fromReserve);
    if (m!.fromAvailable > 0n) add(fromAvailable, cert.customerAccountId, m!.fromAvailable);
    totals.set(m!.serial, (totals.get(m!.serial) ?? 0n) + m!.fromReserve + m!.fromAvailable);
  }
  const reference = `batch:${w.settlementId}`;
  await move(deps, tx, 'settlement', reference, fromReserve, w.payee.accountId);
  await move(deps, tx, 'recovery', reference, fromAvailable, w.payee.accountId);
  await repo.addSettled(tx, totals);
}

function add(map: Map<string, bigint>, key: string, amount: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + amount);
}

/** One balanced transfer: every source account debited, the payee credited with the sum. */
async function move(
  deps: SettlementDeps,
  tx: Queryable,
  kind: 'settlement' | 'recovery',
  reference: string,
  sources: Map<string, bigint>,
  payeeAccountId: string,
): Promise<void> {
  if (sources.size === 0) return;
  let total = 0n;
  const legs = [...sources].map(([accountId, amount]) => {
    total += amount;
    return { accountId, amount: -amount };
  });
  await deps.accounts.transfer(tx, {
    kind,
    reference,
    legs: [...legs, { accountId: payeeAccountId, amount: total }],
  });
}

/** Stores each fraud proof once and revokes the cheating certificate, in the same transaction. */
async function recordFrauds(
  deps: SettlementDeps,
  tx: Queryable,
  decision: SettlementDecision,
  batch: SettlementBatch,
) {
  for (const f of decision.frauds) {
    const other =
      batch.entries.find((p) => equalBytes(p.paymentId, f.conflictingId)) ??
      (await storedPayment(tx, f.conflictingId));
    const proof = makeFraudProof(other, f.payment);
    const id = await repo.insertFraudProof(tx, {
      serial: f.serial,
      kind: proof.kind,
      a: proof.first.paymentId,
      b: proof.second.paymentId,
      proof: encodeFraudProof(proof),
    });
    await deps.revoke(tx, { serial: f.serial, reason: 'fraud', fraudProofId: id });
  }
}

async function storedPayment(tx: Queryable, paymentId: Uint8Array): Promise<Payment> {
  const bytes = await repo.paymentBytes(tx, paymentId);
  if (!bytes) throw new Error(`settled payment ${toHex(paymentId)} has no stored bytes`);
  return decodePayment(bytes);
}

/**
 * Phase 2 of a batch, admit (docs/protocol.md §9): the payee it names is one this bank certified,
 * signed it, and may still settle. A refusal here is whole-batch: nothing has moved.
 */
import { toHex } from '@offpay/crypto';
import {
  GRACE_SECONDS,
  isAppError,
  verifySettlementBatch,
  type BatchChain,
  type SettlementBatch,
  type Verifier,
} from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import { unixSeconds } from '../../time.js';
import { successorMaySign } from '../handovers/handovers.domain.js';
import { findPayeeAndResult, type PayeeRow } from './settlement.repo.js';

/**
 * The payee certificate the batch names and, in the same read, the batch's stored result if it
 * was settled before. @throws BANK_UNKNOWN_PAYEE
 */
export async function findPayee(
  q: Queryable,
  batch: Pick<SettlementBatch, 'payeeKid' | 'batchKey'>,
): Promise<{ payee: PayeeRow; stored: Uint8Array | null }> {
  const { payee, stored } = await findPayeeAndResult(q, batch.payeeKid, batch.batchKey);
  if (!payee)
    bankFail('BANK_UNKNOWN_PAYEE', `No payee certificate has kid ${toHex(batch.payeeKid)}`);
  return { payee, stored };
}

/**
 * The payee signed the batch — or, for a till revoked as compromised whose ledger was handed
 * over, the till it was handed over to (docs/protocol.md §9.7) — its chain checks out, and it may
 * still settle at `now`.
 * @throws PROTO_SIGNATURE_INVALID, PROTO_BATCH_HEAD_MISMATCH, BANK_PAYEE_REVOKED, BANK_PAYEE_EXPIRED
 */
export function admitPayee(
  batch: BatchChain,
  payee: PayeeRow,
  verifier: Verifier,
  now: Date,
): void {
  // A payee that closed its own certificate (a retired till) still settles what it accepted; a
  // revoked one (compromised keys) does not: its signature no longer proves the merchant's will.
  if (payee.status === 'revoked') admitHandedOver(batch, payee, verifier, unixSeconds(now));
  else verifySettlementBatch(batch, payee.signKey, verifier);
  if (unixSeconds(now) > payee.expiresAt + GRACE_SECONDS) {
    bankFail('BANK_PAYEE_EXPIRED', `Payee certificate ${payee.serial} has expired`);
  }
}

/** A revoked till's batch: admitted only when its ledger's successor signed it. */
function admitHandedOver(batch: BatchChain, payee: PayeeRow, verifier: Verifier, now: number) {
  const successor = payee.successor;
  if (!successor || !successorMaySign(successor, now)) {
    verifySettlementBatch(batch, payee.signKey, verifier);
    bankFail('BANK_PAYEE_REVOKED', `Payee certificate ${payee.serial} is revoked`);
  }
  try {
    verifySettlementBatch(batch, successor.signKey, verifier);
  } catch (e) {
    // Signed by anyone else — the stolen key above all — it is the revoked till speaking.
    if (!isAppError(e, 'PROTO_SIGNATURE_INVALID')) throw e;
    bankFail(
      'BANK_PAYEE_REVOKED',
      `Payee certificate ${payee.serial} is revoked; its ledger settles signed by till ${successor.serial}`,
    );
  }
}

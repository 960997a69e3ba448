/**
 * Phase 2 of a batch, admit (docs/protocol.md §9): the payee it names is one this bank certified,
 * signed it, and may still settle. A refusal here is whole-batch: nothing has moved.
 */
import { toHex } from '@offpay/crypto';
import {
  GRACE_SECONDS,
  verifySettlementBatch,
  type BatchChain,
  type SettlementBatch,
  type Verifier,
} from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import { unixSeconds } from '../../time.js';
import { findPayeeByKid, type PayeeRow } from './settlement.repo.js';

/** The payee certificate the batch names. @throws BANK_UNKNOWN_PAYEE */
export async function findPayee(
  q: Queryable,
  batch: Pick<SettlementBatch, 'payeeKid'>,
): Promise<PayeeRow> {
  const payee = await findPayeeByKid(q, batch.payeeKid);
  if (!payee)
    bankFail('BANK_UNKNOWN_PAYEE', `No payee certificate has kid ${toHex(batch.payeeKid)}`);
  return payee;
}

/**
 * The payee signed the batch, its chain checks out, and it may still settle at `now`.
 * @throws PROTO_SIGNATURE_INVALID, PROTO_BATCH_HEAD_MISMATCH, BANK_PAYEE_REVOKED, BANK_PAYEE_EXPIRED
 */
export function admitPayee(
  batch: BatchChain,
  payee: PayeeRow,
  verifier: Verifier,
  now: Date,
): void {
  verifySettlementBatch(batch, payee.signKey, verifier);
  // A payee that closed its own certificate (a retired till) still settles what it accepted; a
  // revoked one (compromised keys) does not: its signature no longer proves the merchant's will.
  if (payee.status === 'revoked') {
    bankFail('BANK_PAYEE_REVOKED', `Payee certificate ${payee.serial} is revoked`);
  }
  if (unixSeconds(now) > payee.expiresAt + GRACE_SECONDS) {
    bankFail('BANK_PAYEE_EXPIRED', `Payee certificate ${payee.serial} has expired`);
  }
}

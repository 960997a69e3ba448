/**
 * Settlement intake (docs/protocol.md §9, DESIGN.md §5): open a sealed batch in the keyring, check
 * the client's Idempotency-Key against the key the bank derives, and the payee's standing. Each
 * refusal here is whole-batch: nothing has moved.
 */
import { equalBytes, isCryptoError, toHex } from '@offpay/crypto';
import {
  GRACE_SECONDS,
  readSealedBatch,
  verifySettlementBatch,
  fail as protoFail,
  type SettlementBatch,
} from '@offpay/protocol';
import { bankFail, isBankError } from '../../errors.js';
import type { BankKeyring } from '../keys/keys.service.js';
import * as repo from './settlement.repo.js';
import type { SettlementDeps } from './settlement.service.js';

/** Unix seconds of a date (the bank clock's unit in the protocol). */
export const unix = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Opens the sealed batch in the keyring; a failure to open is the protocol's code. A KEM kid this
 * instance does not know may have been made by another instance's rotation: reload once.
 */
export async function openBatch(
  keyring: BankKeyring,
  sealedBatch: Uint8Array,
): Promise<Uint8Array> {
  const { kemKid, info, sealed } = readSealedBatch(sealedBatch);
  const known = keyring.list('kem').some((k) => equalBytes(k.kid, kemKid));
  if (!known) await keyring.reload();
  try {
    return keyring.openSealed(kemKid, info, sealed);
  } catch (e) {
    // docs/protocol.md §9: every party answers an unknown recipient key with the protocol's code.
    if (isBankError(e, 'BANK_KEY_UNKNOWN')) {
      protoFail('PROTO_UNKNOWN_RECIPIENT_KEY', `bank KEM key ${toHex(kemKid)} is not known`, {
        kemKid: toHex(kemKid),
      });
    }
    if (isCryptoError(e)) {
      protoFail(
        'PROTO_SEAL_OPEN_FAILED',
        'the settlement batch could not be opened: damaged or tampered',
      );
    }
    throw e;
  }
}

export function checkIdempotencyKey(header: string | undefined, batchKey: Uint8Array): void {
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

/** The payee certificate the batch names. @throws BANK_UNKNOWN_PAYEE */
export async function findPayee(
  deps: SettlementDeps,
  batch: SettlementBatch,
): Promise<repo.PayeeRow> {
  const payee = await repo.findPayeeByKid(deps.db, batch.payeeKid);
  if (!payee)
    bankFail('BANK_UNKNOWN_PAYEE', `No payee certificate has kid ${toHex(batch.payeeKid)}`);
  return payee;
}

/** The payee signed the batch, its chain checks out, and it may still settle. */
export function checkPayee(
  deps: SettlementDeps,
  batch: SettlementBatch,
  payee: repo.PayeeRow,
): void {
  verifySettlementBatch(batch, payee.signKey, deps.verifier);
  // A payee that closed its own certificate (a retired till) still settles what it accepted; a
  // revoked one (compromised keys) does not: its signature no longer proves the merchant's will.
  if (payee.status === 'revoked') {
    bankFail('BANK_PAYEE_REVOKED', `Payee certificate ${payee.serial} is revoked`);
  }
  if (unix(deps.now()) > payee.expiresAt + GRACE_SECONDS) {
    bankFail('BANK_PAYEE_EXPIRED', `Payee certificate ${payee.serial} has expired`);
  }
}

/**
 * Phase 1 of a batch, open (docs/protocol.md §9): decrypt the sealed batch with the bank's KEM
 * key, and check the client's Idempotency-Key against the key the bank derives itself. A refusal
 * here is whole-batch: nothing has moved.
 */
import { isCryptoError, toHex } from '@offpay/crypto';
import { fail as protoFail, readSealedBatch } from '@offpay/protocol';
import { bankFail, isBankError } from '../../errors.js';
import type { BankKeyring } from '../keys/keys.service.js';

/**
 * Opens the sealed batch in the keyring; a failure to open is the protocol's code. A KEM kid this
 * instance has not loaded may have been made by another instance's rotation: the keyring reloads
 * only when the database holds that kid, so made-up kids cost a probe, never a reload
 * (docs/protocol.md §12).
 * @throws PROTO_UNKNOWN_RECIPIENT_KEY, PROTO_SEAL_OPEN_FAILED, PROTO_* of the wire framing
 */
export async function openBatch(
  keyring: BankKeyring,
  sealedBatch: Uint8Array,
): Promise<Uint8Array> {
  const { kemKid, info, sealed } = readSealedBatch(sealedBatch);
  if (!(await keyring.reloadFor('kem', kemKid))) unknownRecipientKey(kemKid);
  try {
    return keyring.openSealed(kemKid, info, sealed);
  } catch (e) {
    // docs/protocol.md §9: every party answers an unknown recipient key with the protocol's code.
    // A KEM key retired longer ago than the bank accepts: the same answer (§9.2).
    if (isBankError(e, 'BANK_KEY_UNKNOWN')) unknownRecipientKey(kemKid);
    if (isCryptoError(e)) {
      protoFail(
        'PROTO_SEAL_OPEN_FAILED',
        'the settlement batch could not be opened: damaged or tampered',
      );
    }
    throw e;
  }
}

/** docs/protocol.md §9.2: every party answers an unknown recipient key with the protocol's code. */
function unknownRecipientKey(kemKid: Uint8Array): never {
  return protoFail('PROTO_UNKNOWN_RECIPIENT_KEY', `bank KEM key ${toHex(kemKid)} is not known`, {
    kemKid: toHex(kemKid),
  });
}

/**
 * The client's Idempotency-Key, if sent, must be the batch key the bank derives.
 * @throws BANK_IDEMPOTENCY_KEY_INVALID, BANK_IDEMPOTENCY_KEY_MISMATCH
 */
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

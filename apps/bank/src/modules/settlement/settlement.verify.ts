/**
 * Phase 3 of a batch, verify (docs/protocol.md §6 steps 3–4): the bank key's signature on every
 * payer certificate and every payer's signature on its payment, before the transaction — CPU
 * work that holds no lock. verify/ runs the same function on worker threads for large batches.
 */
import {
  verifyCertificate,
  verifyPayerSignature,
  type BankKeys,
  type ProtoErrorCode,
  type SettlementBatch,
  type Verifier,
} from '@offpay/protocol';
import { protoCodeOf, type BatchEntry } from './settlement.domain.js';

/**
 * Checks every entry's certificate and payer signatures before the transaction (CPU work holds
 * no lock). A certificate shared by many payments is verified once.
 */
export function verifyEntriesInThread(
  batch: SettlementBatch,
  bankKeys: BankKeys,
  verifier: Verifier,
): BatchEntry[] {
  const certCodes = new Map<string, ProtoErrorCode | null>();
  return batch.entries.map((payment, i) => {
    const certId = `${nativeHex(payment.payerCert.tbs)}.${nativeHex(payment.payerCert.signature)}`;
    let code = certCodes.get(certId);
    if (code === undefined) {
      code = protoCodeOf(() => verifyCertificate(payment.payerCert, bankKeys, verifier));
      certCodes.set(certId, code);
    }
    code ??= protoCodeOf(() => verifyPayerSignature(payment, verifier));
    return { index: batch.fromIndex + i, payment, signatureCode: code };
  });
}

/** Hex through Buffer (native): this runs once per entry, and `toHex` builds strings per byte. */
const nativeHex = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

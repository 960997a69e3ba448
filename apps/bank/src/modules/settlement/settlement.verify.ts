/**
 * Signature checks of a batch's entries, before the transaction: CPU-bound, no lock held. Pure
 * (no I/O), so a worker thread can run it as well as the request's thread.
 */
import {
  isAppError,
  verifyCertificate,
  verifyPayerSignature,
  type BankKeys,
  type SettlementBatch,
  type Verifier,
} from '@offpay/protocol';
import type { BatchEntry } from './settlement.domain.js';

/**
 * Checks every entry's certificate and payer signatures before the transaction (CPU work holds
 * no lock). A certificate shared by many payments is verified once.
 */
export function verifyEntriesInThread(
  batch: SettlementBatch,
  bankKeys: BankKeys,
  verifier: Verifier,
): BatchEntry[] {
  const certCodes = new Map<string, string | null>();
  return batch.entries.map((payment, i) => {
    const certId = `${nativeHex(payment.payerCert.tbs)}.${nativeHex(payment.payerCert.signature)}`;
    let code = certCodes.get(certId);
    if (code === undefined) {
      code = codeOf(() => verifyCertificate(payment.payerCert, bankKeys, verifier));
      certCodes.set(certId, code);
    }
    code ??= codeOf(() => verifyPayerSignature(payment, verifier));
    return { index: batch.fromIndex + i, payment, signatureCode: code };
  });
}

/** Hex through Buffer (native): this runs once per entry, and `toHex` builds strings per byte. */
const nativeHex = (b: Uint8Array) =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

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

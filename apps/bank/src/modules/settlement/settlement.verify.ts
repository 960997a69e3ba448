/**
 * Phase 3 of a batch, verify (docs/protocol.md §6 steps 3–4): the bank key's signature on every
 * payer certificate and every payer's signature on its payment, before the transaction — CPU
 * work that holds no lock. verify/ checks the payer signatures of large batches on worker threads
 * and combines them with {@link certificateCodes} exactly as this thread does.
 */
import { equalBytes } from '@offpay/crypto';
import {
  verifyCertificate,
  verifyPayerSignature,
  type BankKeys,
  type Payment,
  type PayerCertificate,
  type ProtoErrorCode,
  type SettlementBatch,
  type Verifier,
} from '@offpay/protocol';
import { protoCodeOf, type BatchEntry } from './settlement.domain.js';

/**
 * Checks every entry's certificate and payer signatures before the transaction (CPU work holds
 * no lock). A certificate shared by many payments is verified once; a payment whose certificate
 * fails keeps the certificate's code, and its own signature is not checked.
 */
export function verifyEntriesInThread(
  batch: SettlementBatch,
  bankKeys: BankKeys,
  verifier: Verifier,
): BatchEntry[] {
  const certCodes = certificateCodes(batch.entries, bankKeys, verifier);
  return batch.entries.map((payment, i) => ({
    index: batch.fromIndex + i,
    payment,
    signatureCode: certCodes[i] ?? protoCodeOf(() => verifyPayerSignature(payment, verifier)),
  }));
}

/**
 * Per payment, the code of its certificate's issuer check (PROTO_UNKNOWN_ISSUER,
 * PROTO_SIGNATURE_INVALID), or null when a pinned bank key issued it. Each distinct certificate
 * (same tbs and signature bytes) is checked once: a batch of 1,000 entries carries ~40. Compared
 * as bytes, grouped by serial — no hex strings per entry.
 */
export function certificateCodes(
  payments: readonly Payment[],
  bankKeys: BankKeys,
  verifier: Verifier,
): (ProtoErrorCode | null)[] {
  const seen = new Map<number, { cert: PayerCertificate; code: ProtoErrorCode | null }[]>();
  return payments.map(({ payerCert: cert }) => {
    let group = seen.get(cert.serial);
    if (!group) seen.set(cert.serial, (group = []));
    for (const known of group) {
      if (
        known.cert === cert ||
        (equalBytes(known.cert.signature, cert.signature) && equalBytes(known.cert.tbs, cert.tbs))
      )
        return known.code;
    }
    const code = protoCodeOf(() => verifyCertificate(cert, bankKeys, verifier));
    group.push({ cert, code });
    return code;
  });
}

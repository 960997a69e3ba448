/**
 * A payment's two signatures (docs/protocol.md §6: the payer certificate under a bank key, the
 * payment under the certificate's key), verified by WebCrypto BEFORE the till's one transaction
 * opens — nothing but IndexedDB may be awaited inside it — and handed to the protocol's check as
 * a synchronous verifier. A payer certificate's bank signature is the same bytes on every payment
 * of that payer: once it verified, it is remembered by serial and not verified again.
 */
import { nativeVerdicts, verify, type VerifyFn } from '@offpay/crypto';
import {
  decodePayment,
  verifyCertificate,
  verifyPayerSignature,
  type BankKeys,
  type Payment,
} from '@offpay/protocol';

type Triple = readonly [signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array];

/** Most payer certificates remembered (a till's regular customers); the oldest goes first. */
export const MAX_REMEMBERED_PAYERS = 1024;

/** Payer certificate signatures that verified, by serial, with the key set they verified under. */
const verifiedCerts = new Map<number, { bankKeys: BankKeys; signature: Triple }>();

function remember(serial: number, bankKeys: BankKeys, signature: Triple): void {
  verifiedCerts.delete(serial);
  if (verifiedCerts.size >= MAX_REMEMBERED_PAYERS) {
    verifiedCerts.delete(verifiedCerts.keys().next().value!);
  }
  const [s, m, k] = signature;
  verifiedCerts.set(serial, { bankKeys, signature: [s.slice(), m.slice(), k.slice()] });
}

/**
 * The verifier for the protocol's check of the opened payment `opened`: both its signatures
 * verified natively now (the certificate's only when it is not remembered). Its verdicts are the
 * real ones; a signature it was not asked about beforehand is verified with noble. Bytes that do
 * not decode get noble's verifier: the check refuses them before asking about any signature.
 * `decoded` is `decodePayment(opened)` when the caller has it already (it is not decoded again).
 */
export async function paymentVerifier(
  opened: Uint8Array,
  bankKeys: BankKeys,
  decoded?: Payment,
): Promise<VerifyFn> {
  let payment: Payment;
  try {
    payment = decoded ?? decodePayment(opened);
  } catch {
    return verify;
  }
  const cached = verifiedCerts.get(payment.serial);
  const known = cached?.bankKeys === bankKeys ? [cached.signature] : [];
  // The signature verifyCertificate asks about (none for PROTO_UNKNOWN_ISSUER), kept as it asks.
  let cert: Triple | undefined;
  const verdicts = await nativeVerdicts((v) => {
    verifyCertificate(payment.payerCert, bankKeys, (s, m, k) => {
      cert = [s, m, k];
      return v(s, m, k);
    });
    verifyPayerSignature(payment, v);
  }, known);
  if (cert && verdicts.verifier(...cert)) remember(payment.serial, bankKeys, cert);
  return verdicts.verifier;
}

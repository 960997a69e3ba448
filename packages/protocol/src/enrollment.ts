/**
 * Enrollment proof of possession (DESIGN.md §3 "Enrollment", docs/protocol.md §4.3): the device
 * signs the bank's single-use challenge together with the keys it asks to have certified.
 */
import { encodeCbor } from './cbor.js';
import { CERT_TYPE, SIGN_LABEL, VERSION } from './constants.js';
import { requireSignature, signTbs } from './signing.js';

/** Length of a bank enrollment challenge. */
export const CHALLENGE_LENGTH = 32;

/** What an enrolling device asks the bank to certify. */
export interface EnrollmentRequest {
  kind: 'payer' | 'payee';
  /** The bank's challenge, 32 random bytes, single use. */
  challenge: Uint8Array;
  signKey: Uint8Array;
  /** The payee's KEM key; empty for a payer. */
  kemKey: Uint8Array;
}

/** `tbs = [1, kind, challenge, signKey, kemKey]`, signed under "offpay/v1/enrollment". */
export function enrollmentTbs(r: EnrollmentRequest): Uint8Array {
  return encodeCbor([VERSION, CERT_TYPE[r.kind], r.challenge, r.signKey, r.kemKey]);
}

/** The device's proof: its signing key signs the tbs. */
export function signEnrollment(r: EnrollmentRequest, deviceSecretKey: Uint8Array): Uint8Array {
  return signTbs(SIGN_LABEL.enrollment, enrollmentTbs(r), deviceSecretKey);
}

/** Checks a proof of possession. @throws PROTO_SIGNATURE_INVALID */
export function verifyEnrollment(r: EnrollmentRequest, signature: Uint8Array): void {
  requireSignature(SIGN_LABEL.enrollment, enrollmentTbs(r), signature, r.signKey, 'enrollment');
}

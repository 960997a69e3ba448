/**
 * Pure rules of closing and revoking a certificate (docs/protocol.md §11): what a revocation does
 * to a certificate's status, and which revocations name a fraud proof. No pg, no fastify.
 */

/** Status of a certificate row (migrations/003_certificates.sql). */
export type CertificateStatus = 'active' | 'closed' | 'revoked';

/** Why a certificate was revoked (the `revocations.reason` column). */
export type RevocationReason = 'fraud' | 'closed' | 'compromised';

/**
 * Status after revoking for `reason`: closing never softens a revocation, and a fraud or
 * compromise revokes a certificate even after its holder closed it.
 */
export function statusAfter(
  current: CertificateStatus,
  reason: RevocationReason,
): CertificateStatus {
  if (reason === 'closed') return current === 'active' ? 'closed' : current;
  return 'revoked';
}

/**
 * A fraud revocation names its proof, and only a fraud revocation does (the
 * `revocations_fraud_check` constraint, checked here so a caller's mistake is a clear error).
 * @throws TypeError
 */
export function checkRevocationInput(reason: RevocationReason, fraudProofId?: bigint): void {
  if ((reason === 'fraud') !== (fraudProofId !== undefined))
    throw new TypeError(
      'a fraud revocation needs fraudProofId, and only a fraud revocation has one',
    );
}

/** What an owner reports about the device holding a certificate (docs/threat-model.md). */
export type ReportReason = 'lost' | 'stolen';

/**
 * Whether revoking for `reason` ends recovery beyond the reserve for a payer certificate
 * (docs/threat-model.md "Liability"): its owner closing it or a compromise report does; a fraud
 * revocation does not — recovering a cheater's over-spending is what recovery is for.
 */
export function endsRecovery(reason: RevocationReason): boolean {
  return reason !== 'fraud';
}

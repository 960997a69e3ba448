/**
 * Fraud proofs reported by anyone (docs/protocol.md §8): a receiver that refused a payment
 * offline holds a proof the bank may not have seen. The bank checks it under its own keys, stores
 * it once and revokes the cheating payer certificate in one transaction.
 */
import { toHex } from '@offpay/crypto';
import { verifyFraudProof, type FraudKind } from '@offpay/protocol';
import type { Database } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { AuditLog } from '../audit/audit.service.js';
import { trustedSignKeys } from '../keys/keys.signer.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { insertFraudProof } from '../settlement/settlement.repo.js';
import type { Revoke } from '../settlement/settlement.service.js';

/** What the bank did with a reported proof. */
export interface FraudReport {
  serial: number;
  kind: FraudKind;
  first: string;
  second: string;
}

/** Fraud-proof intake. */
export interface FraudService {
  /**
   * Checks and records a proof; revokes the certificate. Reporting a proof again is harmless.
   * @throws PROTO_* when it is not a valid proof under this bank's keys, BANK_CERTIFICATE_NOT_FOUND
   */
  report(proofBytes: Uint8Array): Promise<FraudReport>;
}

/** Builds the fraud-proof service. */
export function createFraudService(deps: {
  db: Database;
  keyring: BankKeyring;
  audit: AuditLog;
  revoke: Revoke;
}): FraudService {
  return {
    async report(proofBytes) {
      const proof = verifyFraudProof(proofBytes, trustedSignKeys(deps.keyring));
      const serial = proof.first.serial;
      await deps.db.transaction(async (tx) => {
        const [known] = await tx.query<{ n: bigint }>(
          'SELECT count(*) AS n FROM payer_certificates WHERE serial = $1',
          [serial],
        );
        if (!known || known.n === 0n) {
          bankFail('BANK_CERTIFICATE_NOT_FOUND', `No payer certificate has serial ${serial}`, {
            serial: String(serial),
          });
        }
        const id = await insertFraudProof(tx, {
          serial,
          kind: proof.kind,
          a: proof.first.paymentId,
          b: proof.second.paymentId,
          proof: proofBytes,
        });
        await deps.revoke(tx, { serial, reason: 'fraud', fraudProofId: id });
        await deps.audit.append(tx, {
          actor: 'public',
          action: 'fraud_proof.reported',
          data: { serial, kind: proof.kind },
        });
      });
      return {
        serial,
        kind: proof.kind,
        first: toHex(proof.first.paymentId),
        second: toHex(proof.second.paymentId),
      };
    },
  };
}

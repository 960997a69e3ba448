/**
 * Fraud proofs (docs/protocol.md §8): the bank stores one proof per payer certificate and revokes
 * the certificate in the same transaction. Later proofs against the same certificate — a cheat
 * equivocating 999 times in one batch, a known proof reported again — store nothing, log no alert
 * and, when reported, write no audit line and take no lock: the first proof already revoked it. Proofs come from settlement, which finds them among
 * a batch's entries ({@link FraudService.record}), and from anyone who reports one — a receiver
 * that refused a payment offline holds a proof the bank may not have seen.
 */
import { FRAUD_PROOFS_MAX } from '@offpay/api';
import { toHex } from '@offpay/crypto';
import {
  encodeFraudProof,
  verifyFraudProof,
  type FraudKind,
  type FraudProof,
} from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { withSignKeys } from '../keys/keys.signer.js';
import {
  findFraudProof,
  firstFraudProofOf,
  insertFraudProof,
  listFraudProofs,
  payerCertificateExists,
  proofsHolding,
  type StoredFraudProofRow,
} from './fraud.repo.js';

/** Revokes a certificate for a stored fraud proof, inside the caller's transaction. */
export type RevokeForFraud = (
  tx: Queryable,
  input: { serial: number; reason: 'fraud'; fraudProofId: bigint },
) => Promise<unknown>;

/** What the bank did with a reported proof. */
export interface FraudReport {
  serial: number;
  kind: FraudKind;
  first: string;
  second: string;
}

/** A proof recorded, or the one already stored against its certificate. */
export interface RecordedProof {
  /** The stored proof's id. */
  id: bigint;
  /** False when the certificate already had a stored proof: nothing was written. */
  stored: boolean;
}

/** Fraud proofs. */
export interface FraudService {
  /**
   * Stores a proof already checked under the bank's keys and revokes its certificate, inside
   * `tx` — unless a proof of that certificate is stored already (then nothing is written). Lock
   * order: after the certificate rows, before the audit head (it revokes, which takes the
   * revocation-list lock).
   */
  record(tx: Queryable, proof: FraudProof, bytes?: Uint8Array): Promise<RecordedProof>;
  /**
   * Checks and records a reported proof; revokes the certificate. Reporting a proof of a
   * certificate that already has one writes nothing (no row, no audit line, no lock).
   * @throws PROTO_* when it is not a valid proof under this bank's keys, BANK_CERTIFICATE_NOT_FOUND
   */
  report(proofBytes: Uint8Array): Promise<FraudReport>;
  /** The proofs stored against a payer serial, oldest first, at most {@link FRAUD_PROOFS_MAX}. */
  list(serial: number): Promise<StoredFraudProofRow[]>;
  /** One stored proof. @throws BANK_FRAUD_PROOF_NOT_FOUND */
  get(id: string): Promise<StoredFraudProofRow>;
  /** For each payment id (hex) that a stored proof holds, that proof's id. */
  holding(paymentIds: readonly Uint8Array[]): Promise<Map<string, string>>;
}

/** Dependencies of {@link createFraudService}. */
export interface FraudDeps {
  db: Database;
  keyring: BankKeyring;
  audit: AuditLog;
  revoke: RevokeForFraud;
}

/** Builds the fraud-proof service. */
export function createFraudService(deps: FraudDeps): FraudService {
  async function record(
    tx: Queryable,
    proof: FraudProof,
    bytes = encodeFraudProof(proof),
  ): Promise<RecordedProof> {
    const serial = proof.first.serial;
    const known = await firstFraudProofOf(tx, serial);
    if (known !== null) return { id: known, stored: false };
    const id = await insertFraudProof(tx, {
      serial,
      kind: proof.kind,
      a: proof.first.paymentId,
      b: proof.second.paymentId,
      proof: bytes,
    });
    await deps.revoke(tx, { serial, reason: 'fraud', fraudProofId: id });
    return { id, stored: true };
  }

  return {
    record,
    list: (serial) => listFraudProofs(deps.db, serial, FRAUD_PROOFS_MAX),
    async get(id) {
      const found = await findFraudProof(deps.db, id);
      if (!found)
        bankFail('BANK_FRAUD_PROOF_NOT_FOUND', `No stored fraud proof has id ${id}`, { id });
      return found;
    },
    holding: (paymentIds) => proofsHolding(deps.db, paymentIds),
    async report(proofBytes) {
      // Certificates of a key another instance just made: loaded from the database, not refused.
      const proof = await withSignKeys(deps.keyring, (keys) => verifyFraudProof(proofBytes, keys));
      const serial = proof.first.serial;
      const answer = {
        serial,
        kind: proof.kind,
        first: toHex(proof.first.paymentId),
        second: toHex(proof.second.paymentId),
      };
      // Already proven: one read, no transaction, no lock, no audit line.
      if ((await firstFraudProofOf(deps.db, serial)) !== null) return answer;
      await deps.db.transaction(async (tx) => {
        if (!(await payerCertificateExists(tx, serial))) {
          bankFail('BANK_CERTIFICATE_NOT_FOUND', `No payer certificate has serial ${serial}`, {
            serial: String(serial),
          });
        }
        // A concurrent report may have stored one since the read above: then nothing to audit.
        if (!(await record(tx, proof, proofBytes)).stored) return;
        await deps.audit.append(tx, {
          actor: 'public',
          action: 'fraud_proof.reported',
          data: { serial, kind: proof.kind },
        });
      });
      return answer;
    },
  };
}

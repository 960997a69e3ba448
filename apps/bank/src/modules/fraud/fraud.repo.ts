/** SQL of fraud proofs (docs/protocol.md §8): stored once per conflicting pair. */
import type { Queryable } from '../../db/queryable.js';

/** True when a payer certificate with this serial exists. */
export async function payerCertificateExists(q: Queryable, serial: number): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM payer_certificates WHERE serial = $1', [serial]);
  return rows.length > 0;
}

/** Stores a fraud proof once; returns its id (the existing one when it was stored before). */
export async function insertFraudProof(
  tx: Queryable,
  p: { serial: number; kind: string; a: Uint8Array; b: Uint8Array; proof: Uint8Array },
): Promise<bigint> {
  const rows = await tx.query<{ id: bigint }>(
    `WITH ins AS (
       INSERT INTO fraud_proofs (serial, kind, payment_a, payment_b, proof) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ON CONSTRAINT fraud_proofs_once_key DO NOTHING RETURNING id)
     SELECT id FROM ins
     UNION ALL
     SELECT id FROM fraud_proofs WHERE serial = $1 AND kind = $2 AND payment_a = $3 AND payment_b = $4
     LIMIT 1`,
    [p.serial, p.kind, p.a, p.b, p.proof],
  );
  return (rows[0] as { id: bigint }).id;
}

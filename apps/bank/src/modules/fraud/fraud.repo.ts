/** SQL of fraud proofs (docs/protocol.md §8): stored once per conflicting pair. */
import type { Queryable } from '../../db/queryable.js';
import { hexParams } from '../../db/values.js';

/** True when a payer certificate with this serial exists. */
export async function payerCertificateExists(q: Queryable, serial: number): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM payer_certificates WHERE serial = $1', [serial]);
  return rows.length > 0;
}

/**
 * The id of the first proof stored against a payer serial, or null. One proof per certificate is
 * enough (issue #12): it revokes the certificate and proves the cheat; more add nothing.
 */
export async function firstFraudProofOf(q: Queryable, serial: number): Promise<bigint | null> {
  const rows = await q.query<{ id: bigint }>(
    'SELECT id FROM fraud_proofs WHERE serial = $1 ORDER BY id LIMIT 1',
    [serial],
  );
  return rows[0]?.id ?? null;
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

/** A stored proof with the bank key that issued its certificate. */
export interface StoredFraudProofRow {
  id: string;
  serial: number;
  kind: string;
  paymentA: Uint8Array;
  paymentB: Uint8Array;
  proof: Uint8Array;
  issuerKid: Uint8Array;
  issuerPublicKey: Uint8Array;
  storedAt: Date;
}

const STORED_PROOF = `
  SELECT f.id::text AS id, f.serial, f.kind, f.payment_a, f.payment_b, f.proof, f.detected_at,
         c.issuer_kid, k.public_key
  FROM fraud_proofs f
  JOIN payer_certificates c ON c.serial = f.serial
  JOIN bank_keys k ON k.kid = c.issuer_kid`;

interface StoredProofDbRow {
  id: string;
  serial: string | number;
  kind: string;
  payment_a: Uint8Array;
  payment_b: Uint8Array;
  proof: Uint8Array;
  detected_at: Date;
  issuer_kid: Uint8Array;
  public_key: Uint8Array;
}

function storedRow(r: StoredProofDbRow): StoredFraudProofRow {
  return {
    id: r.id,
    serial: Number(r.serial),
    kind: r.kind,
    paymentA: r.payment_a,
    paymentB: r.payment_b,
    proof: r.proof,
    issuerKid: r.issuer_kid,
    issuerPublicKey: r.public_key,
    storedAt: r.detected_at,
  };
}

/** The proofs stored against a payer serial, oldest first, at most `limit`. */
export async function listFraudProofs(
  q: Queryable,
  serial: number,
  limit: number,
): Promise<StoredFraudProofRow[]> {
  const rows = await q.query<StoredProofDbRow>(
    `${STORED_PROOF} WHERE f.serial = $1 ORDER BY f.id LIMIT $2`,
    [serial, limit],
  );
  return rows.map(storedRow);
}

/** One stored proof by id, or null. */
export async function findFraudProof(
  q: Queryable,
  id: string,
): Promise<StoredFraudProofRow | null> {
  const rows = await q.query<StoredProofDbRow>(`${STORED_PROOF} WHERE f.id = $1`, [id]);
  return rows[0] ? storedRow(rows[0]) : null;
}

/**
 * For each of `paymentIds`, the id of the first stored proof that holds that payment (as its
 * first or second), hex paymentId → proof id. For the few fraud-coded entries of one result.
 */
export async function proofsHolding(
  q: Queryable,
  paymentIds: readonly Uint8Array[],
): Promise<Map<string, string>> {
  if (paymentIds.length === 0) return new Map();
  const rows = await q.query<{ payment: string; id: string }>(
    `SELECT DISTINCT ON (p.payment) p.payment, f.id::text AS id
     FROM unnest($1::text[]) AS p(payment)
     JOIN fraud_proofs f
       ON f.payment_a = decode(p.payment, 'hex') OR f.payment_b = decode(p.payment, 'hex')
     ORDER BY p.payment, f.id`,
    [hexParams(paymentIds)],
  );
  return new Map(rows.map((r) => [r.payment, r.id]));
}

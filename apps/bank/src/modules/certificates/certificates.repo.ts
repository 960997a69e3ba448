/** SQL of enrollment and of the certificate lifecycle: issuing, locking, closing, revoking. */
import type { Queryable } from '../../db/queryable.js';
import type { CertificateStatus, RevocationReason } from './certificates.domain.js';

/** A user's customer account. */
export interface CustomerAccount {
  id: string;
  currency: string;
}

/** A payer certificate row to insert. */
export interface PayerCertificateRow {
  serial: number;
  accountId: string;
  issuerKid: Uint8Array;
  kid: Uint8Array;
  signKey: Uint8Array;
  currency: string;
  limit: bigint;
  issuedAt: Date;
  expiresAt: Date;
  cert: Uint8Array;
}

/** A payee certificate row to insert. */
export interface PayeeCertificateRow extends Omit<PayerCertificateRow, 'limit'> {
  kemKey: Uint8Array;
  displayName: string;
}

/** A certificate locked for a status change, with its owner. */
export interface LockedCertificate {
  kind: 'payer' | 'payee';
  serial: number;
  userId: string;
  status: CertificateStatus;
  closedAt: Date | null;
}

/**
 * The user's customer account in `currency`, or (no currency given) the one opened at
 * registration; null when there is none.
 */
export async function findCustomerAccount(
  q: Queryable,
  userId: string,
  currency: string | null,
): Promise<CustomerAccount | null> {
  const rows = await q.query<{ id: string; currency: string }>(
    `SELECT id, currency FROM accounts
     WHERE user_id = $1 AND kind = 'customer' AND ($2::char(3) IS NULL OR currency = $2)
     ORDER BY created_at, id LIMIT 1`,
    [userId, currency],
  );
  return rows[0] ?? null;
}

/** The user's reserve account in `currency`, opened on first use (safe under concurrency). */
export async function ensureReserveAccount(
  tx: Queryable,
  userId: string,
  currency: string,
): Promise<string> {
  await tx.query(
    `INSERT INTO accounts (user_id, kind, currency) VALUES ($1, 'reserve', $2)
     ON CONFLICT (user_id, kind, currency) WHERE user_id IS NOT NULL DO NOTHING`,
    [userId, currency],
  );
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM accounts WHERE user_id = $1 AND kind = 'reserve' AND currency = $2`,
    [userId, currency],
  );
  return (rows[0] as { id: string }).id;
}

/** The user's display name (verified at registration); null when the user does not exist. */
export async function findDisplayName(q: Queryable, userId: string): Promise<string | null> {
  const rows = await q.query<{ display_name: string }>(
    'SELECT display_name FROM users WHERE id = $1',
    [userId],
  );
  return rows[0]?.display_name ?? null;
}

/** True when a payee certificate already certifies the key with this kid. */
export async function payeeKidTaken(q: Queryable, kid: Uint8Array): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM payee_certificates WHERE kid = $1', [kid]);
  return rows.length > 0;
}

/** Allocates a serial from the one sequence payer and payee certificates share. */
export async function nextSerial(tx: Queryable): Promise<number> {
  const rows = await tx.query<{ serial: bigint }>(
    "SELECT nextval('certificate_serial_seq') AS serial",
  );
  // The sequence stops at 2^53 − 1, so the number is exact.
  return Number((rows[0] as { serial: bigint }).serial);
}

/** Inserts an issued payer certificate. */
export async function insertPayerCertificate(tx: Queryable, c: PayerCertificateRow): Promise<void> {
  await tx.query(
    `INSERT INTO payer_certificates
       (serial, account_id, issuer_kid, kid, sign_key, currency, limit_minor, issued_at, expires_at, cert)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      c.serial,
      c.accountId,
      c.issuerKid,
      c.kid,
      c.signKey,
      c.currency,
      c.limit.toString(),
      c.issuedAt,
      c.expiresAt,
      c.cert,
    ],
  );
}

/** Inserts an issued payee certificate and its ledger head at index 0. */
export async function insertPayeeCertificate(
  tx: Queryable,
  c: PayeeCertificateRow,
  genesisHead: Uint8Array,
): Promise<void> {
  await tx.query(
    `INSERT INTO payee_certificates (serial, account_id, issuer_kid, kid, sign_key, kem_key,
       display_name, currency, issued_at, expires_at, cert)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      c.serial,
      c.accountId,
      c.issuerKid,
      c.kid,
      c.signKey,
      c.kemKey,
      c.displayName,
      c.currency,
      c.issuedAt,
      c.expiresAt,
      c.cert,
    ],
  );
  await tx.query(
    'INSERT INTO payee_heads (payee_serial, next_index, head, updated_at) VALUES ($1, 0, $2, $3)',
    [c.serial, genesisHead, c.issuedAt],
  );
}

const LOCK_SQL = {
  payer: `SELECT p.serial, a.user_id, p.status, p.closed_at FROM payer_certificates p
          JOIN accounts a ON a.id = p.account_id WHERE p.serial = $1 FOR UPDATE OF p`,
  payee: `SELECT p.serial, a.user_id, p.status, p.closed_at FROM payee_certificates p
          JOIN accounts a ON a.id = p.account_id WHERE p.serial = $1 FOR UPDATE OF p`,
} as const;

/** Locks the certificate (payer or payee) with this serial FOR UPDATE; null when none. */
export async function lockCertificate(
  tx: Queryable,
  serial: number,
): Promise<LockedCertificate | null> {
  for (const kind of ['payer', 'payee'] as const) {
    const rows = await tx.query<{
      serial: bigint;
      user_id: string;
      status: CertificateStatus;
      closed_at: Date | null;
    }>(LOCK_SQL[kind], [serial]);
    const r = rows[0];
    if (r) return { kind, serial, userId: r.user_id, status: r.status, closedAt: r.closed_at };
  }
  return null;
}

/** Sets a certificate's status and the time it stopped being active. */
export async function updateCertificateStatus(
  tx: Queryable,
  c: { kind: 'payer' | 'payee'; serial: number; status: CertificateStatus; closedAt: Date },
): Promise<void> {
  const table = c.kind === 'payer' ? 'payer_certificates' : 'payee_certificates';
  await tx.query(`UPDATE ${table} SET status = $2, closed_at = $3 WHERE serial = $1`, [
    c.serial,
    c.status,
    c.closedAt,
  ]);
}

/**
 * Records a revocation once per serial; returns the reason on record (the earlier one when the
 * serial was revoked before) and whether this call recorded it.
 */
export async function insertRevocation(
  tx: Queryable,
  r: { serial: number; reason: RevocationReason; fraudProofId: bigint | null; at: Date },
): Promise<{ reason: RevocationReason; inserted: boolean }> {
  const inserted = await tx.query(
    `INSERT INTO revocations (serial, reason, fraud_proof_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (serial) DO NOTHING RETURNING seq`,
    [r.serial, r.reason, r.fraudProofId?.toString() ?? null, r.at],
  );
  if (inserted.length > 0) return { reason: r.reason, inserted: true };
  const rows = await tx.query<{ reason: RevocationReason }>(
    'SELECT reason FROM revocations WHERE serial = $1',
    [r.serial],
  );
  return { reason: (rows[0] as { reason: RevocationReason }).reason, inserted: false };
}

/** Runs `fn` inside a savepoint: a failure undoes only its own work and leaves `tx` usable. */
export async function withSavepoint<T>(tx: Queryable, fn: () => Promise<T>): Promise<T> {
  await tx.query('SAVEPOINT offpay_step');
  try {
    const result = await fn();
    await tx.query('RELEASE SAVEPOINT offpay_step');
    return result;
  } catch (err) {
    await tx.query('ROLLBACK TO SAVEPOINT offpay_step');
    await tx.query('RELEASE SAVEPOINT offpay_step');
    throw err;
  }
}

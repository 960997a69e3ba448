/** SQL of enrollment: the accounts a certificate draws on, serials, and issued certificates. */
import type { Queryable } from '../../db/queryable.js';

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

/**
 * The merchant name the bank verified for the user (docs/operations.md "Merchants"), or, when it
 * verified none, the state of the user's latest application (`none` without one).
 */
export async function findVerifiedName(
  q: Queryable,
  userId: string,
): Promise<{ displayName: string } | { state: 'none' | 'pending' | 'refused' }> {
  const rows = await q.query<{ display_name: string }>(
    'SELECT display_name FROM merchants WHERE user_id = $1',
    [userId],
  );
  if (rows[0]) return { displayName: rows[0].display_name };
  const latest = await q.query<{ state: 'pending' | 'refused' | 'approved' }>(
    `SELECT state FROM merchant_applications WHERE user_id = $1
     ORDER BY submitted_at DESC, id DESC LIMIT 1`,
    [userId],
  );
  const state = latest[0]?.state;
  // An approved application always has its merchants row (same transaction); read as none.
  return { state: state === 'pending' || state === 'refused' ? state : 'none' };
}

/** True when a payee certificate already certifies the key with this kid. */
/** The payee certificate holding a key, with its owner: what a re-enrollment is checked against. */
export interface EnrolledPayee {
  serial: number;
  userId: string | null;
  kemKey: Uint8Array;
  status: string;
  expiresAt: Date;
  displayName: string;
  currency: string;
  cert: Uint8Array;
}

/** The payee certificate of the signing key with this kid, or null. */
export async function findEnrolledPayee(
  q: Queryable,
  kid: Uint8Array,
): Promise<EnrolledPayee | null> {
  const rows = await q.query<{
    serial: bigint;
    user_id: string | null;
    kem_key: Uint8Array;
    status: string;
    expires_at: Date;
    display_name: string;
    currency: string;
    cert: Uint8Array;
  }>(
    `SELECT c.serial, a.user_id, c.kem_key, c.status, c.expires_at, c.display_name, c.currency,
            c.cert
     FROM payee_certificates c JOIN accounts a ON a.id = c.account_id
     WHERE c.kid = $1`,
    [kid],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    serial: Number(r.serial),
    userId: r.user_id,
    kemKey: r.kem_key,
    status: r.status,
    expiresAt: r.expires_at,
    displayName: r.display_name,
    currency: r.currency,
    cert: r.cert,
  };
}

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

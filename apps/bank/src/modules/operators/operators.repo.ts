/** SQL of operators. */
import type { OperatorRole } from '@offpay/api';
import type { Queryable } from '../../db/queryable.js';
import type { PasswordHash } from '../auth/auth.password.js';

/** An operator as sign-in needs one. */
export interface OperatorCredentials {
  id: string;
  email: string;
  role: OperatorRole;
  tokenVersion: number;
  password: PasswordHash;
  totpSealed: Uint8Array;
}

/** An operator as a request sees one. */
export interface OperatorRow {
  id: string;
  email: string;
  role: OperatorRole;
  tokenVersion: number;
}

/** Inserts an operator. @throws unique violation `operators_email_key` when the email is taken. */
export async function insertOperator(
  tx: Queryable,
  o: {
    id: string;
    email: string;
    role: OperatorRole;
    password: PasswordHash;
    totpSealed: Uint8Array;
  },
): Promise<void> {
  const { params, salt, hash } = o.password;
  await tx.query(
    `INSERT INTO operators (id, email, role, password_scrypt_log2n, password_scrypt_r,
       password_scrypt_p, password_salt, password_hash, totp_secret_sealed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [o.id, o.email, o.role, params.log2N, params.r, params.p, salt, hash, o.totpSealed],
  );
}

/** An operator by (normalised) email; null when there is none. */
export async function findOperatorByEmail(
  q: Queryable,
  email: string,
): Promise<OperatorCredentials | null> {
  const rows = await q.query<{
    id: string;
    email: string;
    role: OperatorRole;
    token_version: number;
    password_scrypt_log2n: number;
    password_scrypt_r: number;
    password_scrypt_p: number;
    password_salt: Uint8Array;
    password_hash: Uint8Array;
    totp_secret_sealed: Uint8Array;
  }>(
    `SELECT id, email, role, token_version, password_scrypt_log2n, password_scrypt_r,
       password_scrypt_p, password_salt, password_hash, totp_secret_sealed
     FROM operators WHERE email = $1`,
    [email],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    tokenVersion: r.token_version,
    password: {
      params: { log2N: r.password_scrypt_log2n, r: r.password_scrypt_r, p: r.password_scrypt_p },
      salt: r.password_salt,
      hash: r.password_hash,
    },
    totpSealed: r.totp_secret_sealed,
  };
}

/** An operator by id; null when there is none. */
export async function findOperator(q: Queryable, id: string): Promise<OperatorRow | null> {
  const rows = await q.query<{
    id: string;
    email: string;
    role: OperatorRole;
    token_version: number;
  }>('SELECT id, email, role, token_version FROM operators WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { id: r.id, email: r.email, role: r.role, tokenVersion: r.token_version } : null;
}

/**
 * Records `step` as the operator's last accepted TOTP step unless that step (or a later one) was
 * accepted already. True when this call took it: concurrent sign-ins with one code get one true.
 */
export async function takeTotpStep(tx: Queryable, id: string, step: number): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE operators SET totp_last_step = $2
     WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [id, step],
  );
  return rows.length === 1;
}

/** Revokes every token of the operator. */
export async function bumpOperatorTokenVersion(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE operators SET token_version = token_version + 1 WHERE id = $1', [id]);
}

/** SQL of users and their credentials. */
import type { Queryable } from '../../db/queryable.js';
import type { PasswordHash } from './auth.password.js';

/** A user as login needs it. */
export interface UserCredentials {
  id: string;
  tokenVersion: number;
  password: PasswordHash;
}

/** A user's public profile. */
export interface UserProfile {
  id: string;
  email: string;
  displayName: string;
  createdAt: Date;
}

/** Inserts a user and returns its id. @throws unique violation `users_email_key` when taken. */
export async function insertUser(
  tx: Queryable,
  u: { email: string; displayName: string; password: PasswordHash },
): Promise<string> {
  const { params, salt, hash } = u.password;
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO users (email, display_name, password_scrypt_log2n, password_scrypt_r, password_scrypt_p,
       password_salt, password_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [u.email, u.displayName, params.log2N, params.r, params.p, salt, hash],
  );
  return (rows[0] as { id: string }).id;
}

/** Credentials by (normalised) email; null when there is no such user. */
export async function findCredentialsByEmail(
  q: Queryable,
  email: string,
): Promise<UserCredentials | null> {
  const rows = await q.query<{
    id: string;
    token_version: number;
    password_scrypt_log2n: number;
    password_scrypt_r: number;
    password_scrypt_p: number;
    password_salt: Uint8Array;
    password_hash: Uint8Array;
  }>(
    `SELECT id, token_version, password_scrypt_log2n, password_scrypt_r, password_scrypt_p, password_salt, password_hash
     FROM users WHERE email = $1`,
    [email],
  );
  const r = rows[0];
  if (!r) return null;
  const params = { log2N: r.password_scrypt_log2n, r: r.password_scrypt_r, p: r.password_scrypt_p };
  return {
    id: r.id,
    tokenVersion: r.token_version,
    password: { params, salt: r.password_salt, hash: r.password_hash },
  };
}

/** The user's current token version; null when the user does not exist. */
export async function findTokenVersion(q: Queryable, userId: string): Promise<number | null> {
  const rows = await q.query<{ token_version: number }>(
    'SELECT token_version FROM users WHERE id = $1',
    [userId],
  );
  return rows[0]?.token_version ?? null;
}

/** Increments the token version (revoking every token issued so far) and returns the new one. */
export async function bumpTokenVersion(tx: Queryable, userId: string): Promise<number | null> {
  const rows = await tx.query<{ token_version: number }>(
    'UPDATE users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version',
    [userId],
  );
  return rows[0]?.token_version ?? null;
}

/** A user's profile; null when absent. */
export async function findProfile(q: Queryable, userId: string): Promise<UserProfile | null> {
  const rows = await q.query<{ id: string; email: string; display_name: string; created_at: Date }>(
    'SELECT id, email, display_name, created_at FROM users WHERE id = $1',
    [userId],
  );
  const r = rows[0];
  return r
    ? { id: r.id, email: r.email, displayName: r.display_name, createdAt: r.created_at }
    : null;
}

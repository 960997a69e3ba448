/** SQL of bank keys and generated secrets. */
import type { Queryable } from '../../db/queryable.js';
import type { BankKeyKind } from './keys.domain.js';

/** A stored bank key, its secret still sealed. */
export interface BankKeyRow {
  kid: Uint8Array;
  kind: BankKeyKind;
  publicKey: Uint8Array;
  secretKeySealed: Uint8Array;
  createdAt: Date;
  retiredAt: Date | null;
  previousKid: Uint8Array | null;
  announcement: Uint8Array | null;
}

interface KeySqlRow {
  kid: Uint8Array;
  kind: BankKeyKind;
  public_key: Uint8Array;
  secret_key_sealed: Uint8Array;
  created_at: Date;
  retired_at: Date | null;
  previous_kid: Uint8Array | null;
  announcement: Uint8Array | null;
}

// Key creation and rotation serialise across bank instances on this lock (held until COMMIT).
const KEYS_LOCK_SQL =
  "SELECT pg_advisory_xact_lock(hashtextextended('offpay/bank-keys/' || current_schema(), 0))";

/** Takes the key-management lock for the current transaction. */
export async function lockBankKeys(tx: Queryable): Promise<void> {
  await tx.query(KEYS_LOCK_SQL);
}

/** Every bank key, oldest first. */
export async function listBankKeys(q: Queryable): Promise<BankKeyRow[]> {
  const rows = await q.query<KeySqlRow>(
    `SELECT kid, kind, public_key, secret_key_sealed, created_at, retired_at, previous_kid, announcement
     FROM bank_keys ORDER BY created_at, kid`,
  );
  return rows.map((r) => ({
    kid: r.kid,
    kind: r.kind,
    publicKey: r.public_key,
    secretKeySealed: r.secret_key_sealed,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
    previousKid: r.previous_kid,
    announcement: r.announcement,
  }));
}

/** True when the database holds a key of `kind` with this kid (one primary-key probe). */
export async function hasBankKey(
  q: Queryable,
  kind: BankKeyKind,
  kid: Uint8Array,
): Promise<boolean> {
  const rows = await q.query<{ one: number }>(
    'SELECT 1 AS one FROM bank_keys WHERE kid = $1 AND kind = $2',
    [kid, kind],
  );
  return rows.length > 0;
}

/** The kids of the current (not retired) keys, every kind. */
export async function currentBankKids(q: Queryable): Promise<Uint8Array[]> {
  const rows = await q.query<{ kid: Uint8Array }>(
    'SELECT kid FROM bank_keys WHERE retired_at IS NULL',
  );
  return rows.map((r) => r.kid);
}

/** The kids among `kids` the database holds as keys of `kind` (one index scan). */
export async function knownBankKids(
  q: Queryable,
  kind: BankKeyKind,
  kids: readonly Uint8Array[],
): Promise<Uint8Array[]> {
  const rows = await q.query<{ kid: Uint8Array }>(
    'SELECT kid FROM bank_keys WHERE kid = ANY($1::bytea[]) AND kind = $2',
    [kids, kind],
  );
  return rows.map((r) => r.kid);
}

/** Inserts a key. */
export async function insertBankKey(
  tx: Queryable,
  k: Omit<BankKeyRow, 'retiredAt'>,
): Promise<void> {
  await tx.query(
    `INSERT INTO bank_keys (kid, kind, public_key, secret_key_sealed, created_at, previous_kid, announcement)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [k.kid, k.kind, k.publicKey, k.secretKeySealed, k.createdAt, k.previousKid, k.announcement],
  );
}

/** Retires the current key of `kind`. */
export async function retireBankKey(tx: Queryable, kind: BankKeyKind, at: Date): Promise<void> {
  await tx.query('UPDATE bank_keys SET retired_at = $2 WHERE kind = $1 AND retired_at IS NULL', [
    kind,
    at,
  ]);
}

/** A generated secret, sealed; null when not yet generated. */
export async function findSealedSecret(q: Queryable, name: string): Promise<Uint8Array | null> {
  const rows = await q.query<{ sealed: Uint8Array }>(
    'SELECT sealed FROM bank_secrets WHERE name = $1',
    [name],
  );
  return rows[0]?.sealed ?? null;
}

/** Stores a generated secret, sealed. */
export async function insertSealedSecret(
  tx: Queryable,
  name: string,
  sealed: Uint8Array,
): Promise<void> {
  await tx.query('INSERT INTO bank_secrets (name, sealed) VALUES ($1, $2)', [name, sealed]);
}

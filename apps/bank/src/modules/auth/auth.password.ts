/**
 * Password hashing with scrypt (RFC 7914) from node:crypto. Every hash is stored with its own
 * parameters and a 16-byte random salt, so the cost can be raised later without a migration.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

/** A stored password hash. */
export interface PasswordHash {
  params: ScryptParams;
  salt: Uint8Array;
  hash: Uint8Array;
}

const HASH_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  // Bound the cost a stored row can demand (the schema has the same bounds).
  if (
    params.log2N < 10 ||
    params.log2N > 20 ||
    params.r < 1 ||
    params.r > 32 ||
    params.p < 1 ||
    params.p > 16
  ) {
    return Promise.reject(new RangeError('scrypt parameters out of bounds'));
  }
  const N = 2 ** params.log2N;
  // scrypt needs 128·N·r bytes; Node's default maxmem (32 MiB) is exactly N = 2^15, r = 8, which
  // it refuses, so allow twice what the parameters need.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 2 * 128 * N * params.r };
  // NFC: the same password typed on two keyboards gives the same bytes.
  const bytes = Buffer.from(password.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(bytes, salt, HASH_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes `password` with N = 2^log2N, r = 8, p = 1 and a fresh salt. */
export async function hashPassword(password: string, log2N: number): Promise<PasswordHash> {
  const params = { log2N, r: 8, p: 1 };
  const salt = new Uint8Array(randomBytes(SALT_LENGTH));
  const hash = new Uint8Array(await derive(password, salt, params));
  return { params, salt, hash };
}

/** True iff `password` matches `stored`; the comparison takes constant time. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const key = await derive(password, stored.salt, stored.params);
  return key.length === stored.hash.length && timingSafeEqual(key, stored.hash);
}

/**
 * The bank's keys and named secrets at rest (docs/operations.md "Bank keys"): a new key is sealed
 * under the key-encryption key as soon as it is made, a stored key is opened and checked against
 * its public key when loaded, and a named secret (`jwt`) is made sealed on first use. The sealing
 * itself is keys.domain.ts; secret halves leave these functions only towards the keyring's
 * private fields.
 */
import { generateSecretKey, randomBytes, toHex } from '@offpay/crypto';
import type { Database } from '../../db/queryable.js';
import {
  describeSecretKey,
  openSecret,
  sealedSecretAad,
  sealSecret,
  type BankKeyKind,
} from './keys.domain.js';
import {
  findSealedSecret,
  insertSealedSecret,
  lockBankKeys,
  type BankKeyRow,
} from './keys.repo.js';

/** A key just made: what is stored of it. Its secret half exists only sealed. */
export interface SealedNewKey {
  kid: Uint8Array;
  publicKey: Uint8Array;
  secretKeySealed: Uint8Array;
}

/** Makes a key of `kind` and seals its secret half under `kek`, bound to its kind and kid. */
export function makeSealedKey(kek: Uint8Array, kind: BankKeyKind): SealedNewKey {
  const sk = generateSecretKey();
  const { publicKey, kid } = describeSecretKey(sk);
  const secretKeySealed = sealSecret(kek, sealedSecretAad({ kind, kid }), sk, randomBytes(12));
  return { kid, publicKey, secretKeySealed };
}

/**
 * The secret half of a stored key, checked against the row's public key.
 * @throws Error naming the kid when `kek` does not open it (the secret was changed) or when it
 * does not match its public key
 */
export function unsealBankKey(kek: Uint8Array, row: BankKeyRow): Uint8Array {
  let sk: Uint8Array;
  try {
    sk = openSecret(kek, sealedSecretAad(row), row.secretKeySealed);
  } catch {
    throw new Error(
      `BANK_KEY_ENCRYPTION_SECRET does not open bank key ${toHex(row.kid)}: was the secret changed?`,
    );
  }
  if (toHex(describeSecretKey(sk).publicKey) !== toHex(row.publicKey)) {
    throw new Error(`bank key ${toHex(row.kid)} does not match its public key`);
  }
  return sk;
}

/**
 * The named secret `name`: opened from the database, or made (`length` random bytes) and stored
 * sealed on first use, under the keys' lock so that instances starting together agree.
 * @throws Error naming the secret when `kek` does not open the stored one
 */
export async function ensureSealedSecret(
  db: Database,
  kek: Uint8Array,
  name: string,
  length: number,
): Promise<Uint8Array> {
  const aad = sealedSecretAad({ name });
  return db.transaction(async (tx) => {
    await lockBankKeys(tx);
    const sealed = await findSealedSecret(tx, name);
    if (sealed) {
      try {
        return openSecret(kek, aad, sealed);
      } catch {
        throw new Error(
          `BANK_KEY_ENCRYPTION_SECRET does not open bank secret ${name}: was the secret changed?`,
        );
      }
    }
    const value = randomBytes(length);
    await insertSealedSecret(tx, name, sealSecret(kek, aad, value, randomBytes(12)));
    return value;
  });
}

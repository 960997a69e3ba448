/**
 * TOTP secrets at rest: sealed with AES-256-GCM under the bank's key-encryption key, exactly like
 * the bank's own keys (docs/operations.md "Bank keys"), with the operator's id as associated data
 * so that a sealed secret copied onto another operator's row does not open.
 */
import { randomBytes } from 'node:crypto';
import { concatBytes, labelBytes, utf8 } from '@offpay/crypto';
import { deriveKeyEncryptionKey, openSecret, sealSecret } from '../keys/keys.domain.js';

function aad(operatorId: string): Uint8Array {
  return concatBytes(labelBytes('offpay/v1/operator-totp'), utf8(operatorId));
}

/** Seals and opens operators' TOTP secrets under one key-encryption secret. */
export interface TotpVault {
  seal(operatorId: string, secret: Uint8Array): Uint8Array;
  /** @throws CRYPTO_AEAD_AUTH_FAILED when the bytes were not sealed for this operator and key. */
  open(operatorId: string, sealed: Uint8Array): Uint8Array;
}

/** A vault under `keyEncryptionSecret` (BANK_KEY_ENCRYPTION_SECRET or the generated one). */
export function createTotpVault(keyEncryptionSecret: string): TotpVault {
  const kek = deriveKeyEncryptionKey(keyEncryptionSecret);
  return {
    seal: (id, secret) => sealSecret(kek, aad(id), secret, new Uint8Array(randomBytes(12))),
    open: (id, sealed) => openSecret(kek, aad(id), sealed),
  };
}

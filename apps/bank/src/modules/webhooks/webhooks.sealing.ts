/**
 * Webhook signing secrets at rest: sealed with AES-256-GCM under the bank's key-encryption key,
 * like the bank's own keys and operators' TOTP secrets (operators.sealing.ts), with the endpoint
 * id as associated data so that a sealed secret copied onto another endpoint's row does not open.
 * The bank must read the secret back to sign each delivery, so a one-way hash would not do.
 */
import { randomBytes } from 'node:crypto';
import { concatBytes, labelBytes, utf8 } from '@offpay/crypto';
import { deriveKeyEncryptionKey, openSecret, sealSecret } from '../keys/keys.domain.js';

function aad(endpointId: string): Uint8Array {
  return concatBytes(labelBytes('offpay/v1/webhook-secret'), utf8(endpointId));
}

/** Seals and opens webhook signing secrets under one key-encryption secret. */
export interface WebhookVault {
  seal(endpointId: string, secret: string): Uint8Array;
  /** @throws CRYPTO_AEAD_AUTH_FAILED when the bytes were not sealed for this endpoint and key. */
  open(endpointId: string, sealed: Uint8Array): string;
}

/** A vault under `keyEncryptionSecret` (BANK_KEY_ENCRYPTION_SECRET or the generated one). */
export function createWebhookVault(keyEncryptionSecret: string): WebhookVault {
  const kek = deriveKeyEncryptionKey(keyEncryptionSecret);
  return {
    seal: (id, secret) => sealSecret(kek, aad(id), utf8(secret), new Uint8Array(randomBytes(12))),
    open: (id, sealed) => new TextDecoder().decode(openSecret(kek, aad(id), sealed)),
  };
}

/**
 * The bank's current signing key as a protocol `Signer`: certificates, settlement results and
 * revocation lists are signed through the keyring, which never hands out a secret key.
 */
import type { Signer } from '@offpay/protocol';
import type { BankKeyring } from './keys.service.js';

/** A Signer over the keyring's current signing key (read at each call, so rotation applies). */
export function protocolSigner(keyring: BankKeyring): Signer {
  return {
    get publicKey() {
      return keyring.current('sign').publicKey;
    },
    sign: (message) => keyring.sign(message).signature,
  };
}

/** The bank signing keys a verifier trusts: current and retired, by hex kid. */
export function trustedSignKeys(keyring: BankKeyring): Map<string, Uint8Array> {
  return new Map(
    keyring.list('sign').map((k) => [Buffer.from(k.kid).toString('hex'), k.publicKey]),
  );
}

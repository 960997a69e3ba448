/**
 * The bank's current signing key as a protocol `Signer`: certificates, settlement results and
 * revocation lists are signed through the keyring, which never hands out a secret key.
 */
import { encodeKeyAnnouncement, signKeyAnnouncement, type Signer } from '@offpay/protocol';
import { nextValidFrom } from './keys.domain.js';
import type { BankKeyring, RotationAnnouncer } from './keys.service.js';

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

/**
 * Announces a rotation in the protocol's format (docs/protocol.md §12): the new signing and KEM
 * keys, signed by the previous signing key (for a KEM rotation, by the current one), so an app
 * that pinned the old key trusts the new one.
 */
export function protocolAnnouncer(keyring: BankKeyring, now: () => Date): RotationAnnouncer {
  return ({ kind, previous, next, latest, signWithAnnouncingKey }) => {
    const announcing = kind === 'sign' ? previous.publicKey : keyring.current('sign').publicKey;
    const announcement = signKeyAnnouncement(
      {
        signKey: kind === 'sign' ? next.publicKey : keyring.current('sign').publicKey,
        kemKey: kind === 'kem' ? next.publicKey : keyring.current('kem').publicKey,
        validFrom: nextValidFrom(Math.floor(now().getTime() / 1000), latest),
      },
      { publicKey: announcing, sign: signWithAnnouncingKey },
    );
    return encodeKeyAnnouncement(announcement);
  };
}

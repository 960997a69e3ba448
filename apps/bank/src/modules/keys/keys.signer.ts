/**
 * The bank's current signing key as a protocol `Signer`: certificates, settlement results and
 * revocation lists are signed through the keyring, which never hands out a secret key.
 */
import { fromHex } from '@offpay/crypto';
import {
  encodeKeyAnnouncement,
  isAppError,
  signKeyAnnouncement,
  type BankKeys,
  type Signer,
} from '@offpay/protocol';
import { bankFail } from '../../errors.js';
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
 * {@link trustedSignKeys} after loading every kid of `issuerKids` that another instance made
 * (docs/protocol.md §12): a stale keyring must never turn a certificate of a new key into a
 * refusal that settlement stores and replays. Kids no instance made cost one query, no reload.
 */
export async function signKeysFor(
  keyring: BankKeyring,
  issuerKids: readonly Uint8Array[],
): Promise<BankKeys> {
  await keyring.reloadForAny('sign', issuerKids);
  return trustedSignKeys(keyring);
}

/**
 * Runs a verification under the trusted signing keys; when it meets a kid this instance has not
 * loaded (PROTO_UNKNOWN_ISSUER) and the database holds it, reloads and runs it again — at most
 * `tries` times (a fraud proof names two certificates). Any other outcome is the verification's.
 * @throws whatever `verify` throws with the keys as the database has them
 */
export async function withSignKeys<T>(
  keyring: BankKeyring,
  verify: (keys: BankKeys) => T,
  tries = 3,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return verify(trustedSignKeys(keyring));
    } catch (err) {
      const issuer = isAppError(err, 'PROTO_UNKNOWN_ISSUER') ? unknownIssuer(err) : undefined;
      if (i >= tries || !issuer || !(await keyring.reloadFor('sign', issuer))) throw err;
    }
  }
}

function unknownIssuer(err: { details?: unknown }): Uint8Array | undefined {
  const hex = (err.details as { issuerKid?: unknown } | undefined)?.issuerKid;
  return typeof hex === 'string' && /^[0-9a-f]{16}$/.test(hex) ? fromHex(hex) : undefined;
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
        validFrom: validFromNow(Math.floor(now().getTime() / 1000), latest),
      },
      { publicKey: announcing, sign: signWithAnnouncingKey },
    );
    return encodeKeyAnnouncement(announcement);
  };
}

/** {@link nextValidFrom}, its refusal (the clock went back) answered as BANK_CLOCK_BEHIND. */
function validFromNow(nowSeconds: number, latest: Parameters<typeof nextValidFrom>[1]): number {
  try {
    return nextValidFrom(nowSeconds, latest);
  } catch (e) {
    if (e instanceof RangeError) bankFail('BANK_CLOCK_BEHIND', e.message);
    throw e;
  }
}

/**
 * Bank key rotation (DESIGN.md §3 "Bank keys", docs/protocol.md §12): a new signing key and KEM
 * key, announced under the previous signing key, so an app that pinned the old key can trust the
 * new one without going back to first enrollment.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor } from './cbor.js';
import { LEN, SIGN_LABEL, VERSION } from './constants.js';
import { bytes, decodeArray, decodeTbs, publicKey, time } from './fields.js';
import { issuerKey, type BankKeys } from './keyset.js';
import {
  type SigningKey,
  readEnvelope,
  requireSignature,
  signTbs,
  signerPublicKey,
} from './signing.js';

const MAX_BYTES = 256;

/** A decoded key announcement. */
export interface KeyAnnouncement {
  /** kid of the signing key that announces (the previous one). */
  prevKid: Uint8Array;
  signKey: Uint8Array;
  kemKey: Uint8Array;
  /** Unix seconds from which the new keys are used. */
  validFrom: number;
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Announces new bank keys, signed by the previous signing key. */
export function signKeyAnnouncement(
  f: { signKey: Uint8Array; kemKey: Uint8Array; validFrom: number },
  previousKey: SigningKey,
): KeyAnnouncement {
  const tbs = encodeCbor([
    VERSION,
    kid(signerPublicKey(previousKey)),
    f.signKey,
    f.kemKey,
    f.validFrom,
  ]);
  return decodeAnnouncementTbs(tbs, signTbs(SIGN_LABEL.keyAnnouncement, tbs, previousKey));
}

function decodeAnnouncementTbs(tbs: Uint8Array, signature: Uint8Array): KeyAnnouncement {
  const it = decodeTbs(tbs, 'key announcement', MAX_BYTES, 5);
  return {
    prevKid: bytes(it[1], 'key announcement prevKid', LEN.kid),
    signKey: publicKey(it[2], 'key announcement signKey'),
    kemKey: publicKey(it[3], 'key announcement kemKey'),
    validFrom: time(it[4], 'key announcement validFrom'),
    tbs,
    signature,
  };
}

/** Wire bytes: CBOR `[tbs, signature]`. */
export function encodeKeyAnnouncement(a: KeyAnnouncement): Uint8Array {
  return encodeCbor([a.tbs, a.signature]);
}

/**
 * Parses an announcement and checks it under a trusted signing key.
 * @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID, decoding codes
 */
export function verifyKeyAnnouncement(input: Uint8Array, trusted: BankKeys): KeyAnnouncement {
  const value = decodeArray(input, 'key announcement', MAX_BYTES);
  const { tbs, signature } = readEnvelope(value, 'key announcement', 2, MAX_BYTES);
  const a = decodeAnnouncementTbs(tbs, signature);
  requireSignature(
    SIGN_LABEL.keyAnnouncement,
    tbs,
    signature,
    issuerKey(trusted, a.prevKid),
    'key announcement',
  );
  return a;
}

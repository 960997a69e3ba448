/**
 * Bank key rotation (DESIGN.md §3 "Bank keys", docs/protocol.md §12): a new signing key and KEM
 * key, announced under the previous signing key, so an app that pinned the old key can trust the
 * new one without going back to first enrollment.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, SIGN_LABEL, VERSION } from './constants.js';
import { bytes, decodeArray, expectArray, openTbs, publicKey, time } from './fields.js';
import { issuerKey, type BankKeys } from './keyset.js';
import {
  type SigningKey,
  readEnvelope,
  requireSignature,
  signTbs,
  signerPublicKey,
} from './signing.js';

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
  const body = openTbs(tbs, 'key announcement', LIMITS.keyAnnouncementBytes);
  return announcementFromBody(body, tbs, signTbs(SIGN_LABEL.keyAnnouncement, tbs, previousKey));
}

function announcementFromBody(
  body: CborValue[],
  tbs: Uint8Array,
  signature: Uint8Array,
): KeyAnnouncement {
  const it = expectArray(body, 'key announcement', 5);
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
 * Parses an announcement without checking its signature.
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_VERSION_UNSUPPORTED, PROTO_SCHEMA
 */
export function decodeKeyAnnouncement(input: Uint8Array): KeyAnnouncement {
  const value = decodeArray(input, 'key announcement', LIMITS.keyAnnouncementBytes);
  const { tbs, signature, body } = readEnvelope(
    value,
    'key announcement',
    2,
    LIMITS.keyAnnouncementBytes,
  );
  return announcementFromBody(body, tbs, signature);
}

/**
 * Parses an announcement and checks it under a trusted signing key.
 * @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID, decoding codes
 */
export function verifyKeyAnnouncement(input: Uint8Array, trusted: BankKeys): KeyAnnouncement {
  const a = decodeKeyAnnouncement(input);
  checkAnnouncement(a, trusted);
  return a;
}

/**
 * Checks a decoded announcement's signature under the trusted key its prevKid names.
 * @throws PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID
 */
export function checkAnnouncement(a: KeyAnnouncement, trusted: BankKeys): void {
  requireSignature(
    SIGN_LABEL.keyAnnouncement,
    a.tbs,
    a.signature,
    issuerKey(trusted, a.prevKid),
    'key announcement',
  );
}

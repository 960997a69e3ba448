/**
 * Signing and identifying messages (docs/protocol.md §2). A signature covers
 * `len(label) ‖ label ‖ tbs`; a message's id is SHA-256 of those same bytes — the ECDSA digest —
 * and never depends on signature bytes, which are malleable.
 */
import { concatBytes, getPublicKey, labelBytes, sha256, sign, verify } from '@offpay/crypto';
import type { CborValue } from './cbor.js';
import { LEN } from './constants.js';
import { fail } from './errors.js';
import { bytes, expectArray, openTbs } from './fields.js';

/** Most labels kept as bytes (the protocol has a dozen; any beyond are encoded each time). */
const MAX_LABELS = 64;
const labels = new Map<string, Uint8Array>();

/**
 * `labelBytes(label)`, encoded once per label: a payment's checks ask for the same few labels
 * several times. The bytes are shared: callers only read them (copy, hash), never keep or write.
 */
export function labelOnce(label: string): Uint8Array {
  let bytes = labels.get(label);
  if (!bytes) {
    bytes = labelBytes(label);
    if (labels.size < MAX_LABELS) labels.set(label, bytes);
  }
  return bytes;
}

/** The exact bytes a signature covers: the length-prefixed label, then the tbs. */
export function signedBytes(label: string, tbs: Uint8Array): Uint8Array {
  return concatBytes(labelOnce(label), tbs);
}

/** The id of a signed message: SHA-256(len ‖ label ‖ tbs). `paymentId` and `batchKey` are this. */
export function messageId(label: string, tbs: Uint8Array): Uint8Array {
  return sha256(labelOnce(label), tbs);
}

/**
 * A key that signs without handing out its secret (the bank's keyring): `sign` must return the
 * ECDSA P-256 / SHA-256 P1363 signature of `message`.
 */
export interface Signer {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** A P-256 secret key, or a {@link Signer}. */
export type SigningKey = Uint8Array | Signer;

/** The compressed public key of a signing key. */
export function signerPublicKey(key: SigningKey): Uint8Array {
  return key instanceof Uint8Array ? getPublicKey(key) : key.publicKey;
}

/** Signs a tbs under a label: 64-byte `r ‖ s` (low-S from a secret key). */
export function signTbs(label: string, tbs: Uint8Array, key: SigningKey): Uint8Array {
  const message = signedBytes(label, tbs);
  return key instanceof Uint8Array ? sign(message, key) : key.sign(message);
}

/**
 * An ECDSA P-256 / SHA-256 verifier with the contract of `@offpay/crypto`'s `verify` (P1363
 * signatures, high-S accepted, `false` for hostile input). The bank passes a native one.
 */
export type Verifier = (
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
) => boolean;

/**
 * Verifies a signature over a tbs under a label.
 * @throws PROTO_SIGNATURE_INVALID naming `what` when it does not verify.
 */
export function requireSignature(
  label: string,
  tbs: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
  what: string,
  verifier: Verifier = verify,
): void {
  if (!verifier(signature, signedBytes(label, tbs), publicKey)) {
    fail('PROTO_SIGNATURE_INVALID', `the ${what} signature does not verify`, { what });
  }
}

/** The two parts every signed envelope starts with. */
export interface SignedParts {
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** A signed envelope as read by {@link readEnvelope}. */
export interface Envelope extends SignedParts {
  /** The decoded tbs, its version checked; arity and fields are the caller's. */
  body: CborValue[];
  /** The envelope's items after the signature (a nested certificate, if any). */
  rest: CborValue[];
}

/**
 * Reads a signed envelope `[tbs, signature, ...]` version first (docs/protocol.md §1 "Check
 * order"): the envelope is an array whose first item is the tbs byte string within `maxTbs`; the
 * tbs is decoded as far as its version; only then the envelope's arity and the signature. A
 * message of an unknown version therefore always gives PROTO_VERSION_UNSUPPORTED, even when its
 * envelope changed shape too.
 * @throws PROTO_SCHEMA, PROTO_TOO_LARGE (the tbs), PROTO_CBOR_*, PROTO_VERSION_UNSUPPORTED
 */
export function readEnvelope(
  value: CborValue | undefined,
  what: string,
  arity: number,
  maxTbs: number,
): Envelope {
  const items = expectArray(value, what);
  const tbs = bytes(items[0], `${what} tbs`);
  const body = openTbs(tbs, what, maxTbs);
  expectArray(items, what, arity);
  const signature = bytes(items[1], `${what} signature`, LEN.signature);
  return { tbs, signature, body, rest: items.slice(2) };
}

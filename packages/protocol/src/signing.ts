/**
 * Signing and identifying messages (docs/protocol.md §2). A signature covers
 * `len(label) ‖ label ‖ tbs`; a message's id is SHA-256 of those same bytes — the ECDSA digest —
 * and never depends on signature bytes, which are malleable.
 */
import { concatBytes, labelBytes, sha256, sign, verify } from '@offpay/crypto';
import type { CborValue } from './cbor.js';
import { LEN } from './constants.js';
import { fail } from './errors.js';
import { bytes, expectArray } from './fields.js';

/** The exact bytes a signature covers: the length-prefixed label, then the tbs. */
export function signedBytes(label: string, tbs: Uint8Array): Uint8Array {
  return concatBytes(labelBytes(label), tbs);
}

/** The id of a signed message: SHA-256(len ‖ label ‖ tbs). `paymentId` and `batchKey` are this. */
export function messageId(label: string, tbs: Uint8Array): Uint8Array {
  return sha256(labelBytes(label), tbs);
}

/** Signs a tbs under a label with a P-256 secret key: 64-byte low-S `r ‖ s`. */
export function signTbs(label: string, tbs: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return sign(signedBytes(label, tbs), secretKey);
}

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
): void {
  if (!verify(signature, signedBytes(label, tbs), publicKey)) {
    fail('PROTO_SIGNATURE_INVALID', `the ${what} signature does not verify`, { what });
  }
}

/** The two parts every signed envelope starts with. */
export interface SignedParts {
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** Reads `[tbs, signature, ...]` from a decoded envelope of the given arity. */
export function readEnvelope(
  value: CborValue | undefined,
  what: string,
  arity: number,
  maxTbs: number,
): SignedParts & { rest: CborValue[] } {
  const items = expectArray(value, what, arity);
  const tbs = bytes(items[0], `${what}.tbs`, undefined, maxTbs);
  const signature = bytes(items[1], `${what}.signature`, LEN.signature);
  return { tbs, signature, rest: items.slice(2) };
}

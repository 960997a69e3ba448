/**
 * The bank-signed revocation delta (docs/protocol.md §11.1): what changed between list `fromSeq`
 * and list `toSeq` — serials added and serials removed — so a device holding list `fromSeq` reaches
 * list `toSeq` without fetching every serial again.
 */
import { kid } from '@offpay/crypto';
import { encodeCbor, type CborValue } from './cbor.js';
import { LEN, LIMITS, SIGN_LABEL, VERSION } from './constants.js';
import { fail } from './errors.js';
import { bytes, decodeArray, expectArray, openTbs, time, uint } from './fields.js';
import { issuerKey, type BankKeys } from './keyset.js';
import {
  type SigningKey,
  readEnvelope,
  requireSignature,
  signTbs,
  signerPublicKey,
} from './signing.js';

const WHAT = 'revocation delta';

/** A decoded revocation delta. */
export interface RevocationDelta {
  bankKid: Uint8Array;
  /** The list this delta applies to. */
  fromSeq: number;
  /** The list it turns `fromSeq` into; `fromSeq ≤ toSeq`. */
  toSeq: number;
  /** `issuedAt` of list `toSeq`. */
  issuedAt: number;
  /** Serials on list `toSeq` and not on list `fromSeq`, strictly ascending. */
  added: number[];
  /** Serials on list `fromSeq` and not on list `toSeq`, strictly ascending, none in `added`. */
  removed: number[];
  tbs: Uint8Array;
  signature: Uint8Array;
}

/** What the bank signs. */
export interface RevocationDeltaFields {
  fromSeq: number;
  toSeq: number;
  issuedAt: number;
  added: readonly number[];
  removed: readonly number[];
}

const ascending = (serials: readonly number[]) => [...new Set(serials)].sort((a, b) => a - b);

/**
 * Signs a revocation delta; `added` and `removed` are sorted and de-duplicated first.
 * @throws PROTO_SCHEMA when the fields break §11.1 (a serial in both sets, `fromSeq > toSeq`, too
 * many serials), PROTO_TOO_LARGE
 */
export function signRevocationDelta(
  f: RevocationDeltaFields,
  bankKey: SigningKey,
): RevocationDelta {
  const tbs = encodeCbor([
    VERSION,
    kid(signerPublicKey(bankKey)),
    f.fromSeq,
    f.toSeq,
    f.issuedAt,
    ascending(f.added),
    ascending(f.removed),
  ]);
  const body = openTbs(tbs, WHAT, LIMITS.revocationDeltaBytes);
  return deltaFromBody(body, tbs, signTbs(SIGN_LABEL.revocationDelta, tbs, bankKey));
}

/** Strictly ascending serials ≥ 1. */
function serialsField(value: CborValue | undefined, what: string): number[] {
  const serials = expectArray(value, what).map((s) => uint(s, `${WHAT} serial`, 1));
  for (let i = 1; i < serials.length; i++) {
    if (serials[i]! <= serials[i - 1]!)
      fail('PROTO_SCHEMA', `${what} must be strictly ascending`, { what });
  }
  return serials;
}

function deltaFromBody(body: CborValue[], tbs: Uint8Array, signature: Uint8Array): RevocationDelta {
  const it = expectArray(body, WHAT, 7);
  const rawAdded = expectArray(it[5], `${WHAT} added`);
  const rawRemoved = expectArray(it[6], `${WHAT} removed`);
  // Counted before any serial is read (docs/protocol.md §3).
  if (rawAdded.length + rawRemoved.length > LIMITS.revocationDeltaEntries)
    fail('PROTO_SCHEMA', 'too many serials in a revocation delta', { what: `${WHAT} serials` });
  const bankKid = bytes(it[1], `${WHAT} bankKid`, LEN.kid);
  const fromSeq = uint(it[2], `${WHAT} fromSeq`);
  const toSeq = uint(it[3], `${WHAT} toSeq`, fromSeq);
  const issuedAt = time(it[4], `${WHAT} issuedAt`);
  const added = serialsField(rawAdded, `${WHAT} added`);
  const removed = serialsField(rawRemoved, `${WHAT} removed`);
  if (fromSeq === toSeq && added.length + removed.length > 0)
    fail('PROTO_SCHEMA', 'a revocation delta from a list to itself changes nothing', {
      what: `${WHAT} serials`,
    });
  const addedSet = new Set(added);
  if (removed.some((s) => addedSet.has(s)))
    fail('PROTO_SCHEMA', 'a serial cannot be both added and removed', { what: `${WHAT} removed` });
  return { bankKid, fromSeq, toSeq, issuedAt, added, removed, tbs, signature };
}

/** Wire bytes: CBOR `[tbs, signature]`. */
export function encodeRevocationDelta(d: RevocationDelta): Uint8Array {
  return encodeCbor([d.tbs, d.signature]);
}

/**
 * Parses and verifies a revocation delta under the pinned bank keys.
 * @throws PROTO_TOO_LARGE, PROTO_CBOR_*, PROTO_SCHEMA, PROTO_VERSION_UNSUPPORTED,
 * PROTO_UNKNOWN_ISSUER, PROTO_SIGNATURE_INVALID
 */
export function verifyRevocationDelta(input: Uint8Array, bankKeys: BankKeys): RevocationDelta {
  const value = decodeArray(input, WHAT, LIMITS.revocationDeltaBytes);
  const { tbs, signature, body } = readEnvelope(value, WHAT, 2, LIMITS.revocationDeltaBytes);
  const delta = deltaFromBody(body, tbs, signature);
  requireSignature(
    SIGN_LABEL.revocationDelta,
    tbs,
    signature,
    issuerKey(bankKeys, delta.bankKid),
    WHAT,
  );
  return delta;
}

/**
 * List `toSeq`'s serials from list `fromSeq`'s and a verified delta (docs/protocol.md §11.1):
 * `(serials ∪ added) ∖ removed`, ascending; undefined when the delta does not start at `seq` —
 * then the device fetches the full list.
 */
export function applyRevocationDelta(
  held: { seq: number; serials: Iterable<number> },
  delta: Pick<RevocationDelta, 'fromSeq' | 'added' | 'removed'>,
): number[] | undefined {
  if (delta.fromSeq !== held.seq) return undefined;
  const next = new Set(held.serials);
  for (const s of delta.added) next.add(s);
  for (const s of delta.removed) next.delete(s);
  return [...next].sort((a, b) => a - b);
}

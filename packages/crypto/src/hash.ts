/** SHA-256, key identifiers and hash chains (DESIGN.md §3 "Keys and identities", §4 LedgerEntry). */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { assertBytes, equalBytes, labelBytes } from './bytes.js';

/** SHA-256 of the concatenation of `parts` (FIPS 180-4). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return nobleSha256(assertBytes(parts[0], 'data'));
  const h = nobleSha256.create();
  for (const p of parts) h.update(assertBytes(p, 'part'));
  return h.digest();
}

/** SHA-256 of a length-prefixed domain label followed by `parts`: `H(len ‖ label ‖ parts…)`. */
export function taggedHash(label: string, ...parts: Uint8Array[]): Uint8Array {
  return sha256(labelBytes(label), ...parts);
}

/** Length of a key identifier in bytes. */
export const KID_LENGTH = 8;

/**
 * Key identifier: the first 8 bytes of SHA-256 of the 33-byte compressed SEC1 public key
 * (DESIGN.md §3). Throws `RangeError` unless the key is 33 bytes.
 */
export function kid(compressedPublicKey: Uint8Array): Uint8Array {
  assertBytes(compressedPublicKey, 'compressedPublicKey', 33);
  return nobleSha256(compressedPublicKey).subarray(0, KID_LENGTH);
}

/**
 * One link of a hash chain: `H(len ‖ label ‖ prev ‖ item)`. With `label = "offpay/v1/ledger"`
 * this is a ledger entry hash (docs/protocol.md §7).
 */
export function chainLink(label: string, prev: Uint8Array, item: Uint8Array): Uint8Array {
  assertBytes(prev, 'prev', 32);
  assertBytes(item, 'item');
  return taggedHash(label, prev, item);
}

/**
 * Folds `items` onto `genesis` and returns every link, in order: `links[i] = chainLink(label,
 * links[i-1] or genesis, items[i])`.
 */
export function chainLinks(
  label: string,
  genesis: Uint8Array,
  items: Iterable<Uint8Array>,
): Uint8Array[] {
  const links: Uint8Array[] = [];
  let prev = assertBytes(genesis, 'genesis', 32);
  const prefix = labelBytes(label);
  for (const item of items) {
    prev = sha256(prefix, prev, assertBytes(item, 'item'));
    links.push(prev);
  }
  return links;
}

/**
 * Checks a chain: true iff every `links[i]` equals the link computed from the previous one (or
 * `genesis`) and `items[i]`. Returns `false`, never throws, for hostile items and links (wrong
 * lengths or types, reordering); a cut-off tail is caught only by comparing the head, which is the
 * caller's check. `label` is a constant: an invalid one throws `RangeError`.
 */
export function verifyChain(
  label: string,
  genesis: Uint8Array,
  items: readonly Uint8Array[],
  links: readonly Uint8Array[],
): boolean {
  if (!(genesis instanceof Uint8Array) || genesis.length !== 32) return false;
  if (!Array.isArray(items) || !Array.isArray(links) || items.length !== links.length) return false;
  const prefix = labelBytes(label);
  let prev = genesis;
  for (let i = 0; i < items.length; i++) {
    // `unknown`: the arrays may come from untrusted input, so each element is checked below.
    const item: unknown = items[i];
    const link: unknown = links[i];
    if (!(item instanceof Uint8Array) || !(link instanceof Uint8Array)) return false;
    const expected = sha256(prefix, prev, item);
    if (!equalBytes(expected, link)) return false;
    prev = expected;
  }
  return true;
}

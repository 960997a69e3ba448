/**
 * Memos of the pure checks the hot path (preparePayment, then commitPayment) would otherwise
 * repeat on every call: the wallet's certificate verified under the pinned keys, the revocation
 * list verified and decoded, and the public key of the payer's secret key. An entry is found only
 * by the exact bytes it was computed from (certificate or list bytes AND the pinned keys), so any
 * other bytes — a renewal in another tab, an edited row — are decoded and verified again. Entries
 * live in this page's memory only, a few at a time.
 */
import { equalBytes, getPublicKey, sha256, toHex } from '@offpay/crypto';
import {
  bankKeySet,
  decodePayerCertificate,
  verifyCertificate,
  verifyRevocationList,
  type BankKeys,
  type PayerCertificate,
  type RevocationList,
} from '@offpay/protocol';
import type { Vault } from '@offpay/app-kit';

/** Most entries each memo keeps (the current one and a few just replaced). */
const MAX_ENTRIES = 4;

interface Entry<V> {
  bytes: Uint8Array;
  keys: string;
  value: V;
}

/** A small most-recent-first memo keyed by (bytes, pinned keys), compared byte for byte. */
class BytesMemo<V> {
  #entries: Entry<V>[] = [];

  get(bytes: Uint8Array, keys: string): V | undefined {
    return this.#entries.find((e) => e.keys === keys && equalBytes(e.bytes, bytes))?.value;
  }

  set(bytes: Uint8Array, keys: string, value: V): V {
    this.#entries = [{ bytes: bytes.slice(), keys, value }, ...this.#entries].slice(0, MAX_ENTRIES);
    return value;
  }
}

/** The pinned signing keys as one comparable string. */
function keysId(keys: Iterable<Uint8Array>): string {
  return [...keys].map(toHex).join(',');
}

const keySets = new Map<string, BankKeys>();

/** The pinned signing keys as a BankKeys map (memoised by the keys' bytes). */
export function pinnedBankKeys(signKeys: readonly Uint8Array[]): BankKeys {
  const id = keysId(signKeys);
  let keys = keySets.get(id);
  if (!keys) {
    keys = bankKeySet(signKeys);
    if (keySets.size >= MAX_ENTRIES) keySets.clear();
    keySets.set(id, keys);
  }
  return keys;
}

const certificates = new BytesMemo<PayerCertificate>();

/**
 * The payer certificate in `bytes`, decoded and verified under `bankKeys`; the same bytes under
 * the same keys are verified once per page.
 * @throws PROTO_* when it does not decode or verify
 */
export function verifiedCertificate(bytes: Uint8Array, bankKeys: BankKeys): PayerCertificate {
  const keys = keysId(bankKeys.values());
  const known = certificates.get(bytes, keys);
  if (known) return known;
  const cert = decodePayerCertificate(bytes);
  verifyCertificate(cert, bankKeys);
  return certificates.set(bytes, keys, cert);
}

/** A verified revocation list and its serials as a set. */
export interface CheckedRevocations {
  list: RevocationList;
  revoked: ReadonlySet<number>;
}

const lists = new BytesMemo<CheckedRevocations>();

/**
 * The revocation list in `signed`, verified under `bankKeys` and decoded (seq, bytes and keys
 * identical to a list already checked: that result).
 * @throws PROTO_* when it does not decode or verify
 */
export function verifiedRevocations(
  seq: unknown,
  signed: Uint8Array,
  bankKeys: BankKeys,
): CheckedRevocations {
  const keys = `${typeof seq === 'number' ? seq : '?'}/${keysId(bankKeys.values())}`;
  const known = lists.get(signed, keys);
  if (known) return known;
  const list = verifyRevocationList(signed, bankKeys);
  return lists.set(signed, keys, { list, revoked: new Set(list.serials) });
}

const publicKeys = new WeakMap<Vault, { digest: string; publicKey: Uint8Array }>();

/**
 * The compressed public key of `secretKey`, held by `vault`: one scalar multiplication per key
 * per unlocked vault (the memo holds a digest of the key, never the key).
 */
export function publicKeyOf(vault: Vault, secretKey: Uint8Array): Uint8Array {
  const digest = toHex(sha256(secretKey));
  const known = publicKeys.get(vault);
  if (known?.digest === digest) return known.publicKey.slice();
  const publicKey = getPublicKey(secretKey);
  publicKeys.set(vault, { digest, publicKey: publicKey.slice() });
  return publicKey;
}

/** The bank signing keys a party trusts, looked up by kid (DESIGN.md §3 "Bank keys"). */
import { kid, toHex } from '@offpay/crypto';
import { fail } from './errors.js';

/** Pinned bank signing keys by hex kid → 33-byte compressed public key. */
export type BankKeys = ReadonlyMap<string, Uint8Array>;

/** A key set from compressed public keys. */
export function bankKeySet(publicKeys: Iterable<Uint8Array>): BankKeys {
  const map = new Map<string, Uint8Array>();
  for (const pk of publicKeys) map.set(toHex(kid(pk)), pk);
  return map;
}

/** The bank key with this kid. @throws PROTO_UNKNOWN_ISSUER when it is not pinned. */
export function issuerKey(keys: BankKeys, issuerKid: Uint8Array): Uint8Array {
  const key = keys.get(toHex(issuerKid));
  if (!key)
    fail('PROTO_UNKNOWN_ISSUER', `bank key ${toHex(issuerKid)} is not known`, {
      issuerKid: toHex(issuerKid),
    });
  return key;
}

/** TRUST_PROXY as Fastify's `trustProxy` option. */
import type { BankConfig } from '../config.js';

/**
 * Fastify's `trustProxy` for TRUST_PROXY (config.ts). A hop count becomes "the n nearest hops are
 * proxies": Fastify's own number option trusts nothing (it cannot check the peer), so it is
 * spelled as a function here — safe only when nothing but the proxies reaches the bank
 * (docs/operations.md "Behind a proxy").
 */
export function trustProxyOption(
  value: BankConfig['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (value === undefined || value === false) return false;
  if (typeof value === 'number') return (_address, hop) => hop < value;
  return value;
}

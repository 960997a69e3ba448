/**
 * The one place where @noble/curves options are pinned (STYLE.md "Crypto"; noble v2 changed its
 * defaults: `prehash: true`, `lowS: true`).
 */
import { p256 } from '@noble/curves/nist.js';

export { p256 };

/** Signing: SHA-256 of the message (FIPS 186-5 ECDSA), RFC 6979 deterministic k, low-S output. */
export const SIGN_OPTS = { prehash: true, lowS: true, format: 'compact' } as const;

/**
 * Verifying: accept high-S too. WebCrypto produces high-S signatures half the time, and offpay
 * never identifies anything by signature bytes, so malleability is harmless (DESIGN.md §3).
 */
export const VERIFY_OPTS = { prehash: true, lowS: false, format: 'compact' } as const;

/** Order of the P-256 group (FIPS 186-5 / SEC 2 §2.4.2). */
export const P256_N = p256.Point.Fn.ORDER;

/**
 * The merchant code (docs/protocol.md §5.5): eight characters derived from a payee certificate,
 * shown by the wallet beside the bank-verified name and by the till on its own screen, so a payer
 * can check that the till in front of them is the one the sticker or request names. It is read
 * aloud and compared by eye, so it uses Crockford's base32 (no I, L, O or U) in two groups of four.
 */
import { taggedHash } from '@offpay/crypto';
import type { PayeeCertificate } from './certificates.js';

/** Domain label of the merchant code hash (length-prefixed like every label, §2). */
export const MERCHANT_CODE_LABEL = 'offpay/v1/merchant-code';

/** Crockford's base32 alphabet: digits, then letters without I, L, O and U. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Characters in a merchant code, without the separator. */
export const MERCHANT_CODE_CHARS = 8;

/**
 * The merchant code of a payee certificate's `tbs`: the first 40 bits of
 * `H(lp("offpay/v1/merchant-code") ‖ tbs)`, most significant bit first, as 8 Crockford base32
 * characters grouped `XXXX-XXXX`. It depends on the certificate's `tbs` only, never on its
 * signature bytes (§2).
 * @example merchantCodeOfTbs(cert.tbs) // 'K7Q2-9XHD'
 */
export function merchantCodeOfTbs(tbs: Uint8Array): string {
  const digest = taggedHash(MERCHANT_CODE_LABEL, tbs);
  // 40 bits = the first 5 bytes, read as one integer (exact: < 2^53).
  let bits = 0;
  for (let i = 0; i < 5; i++) bits = bits * 256 + (digest[i] as number);
  let code = '';
  for (let i = MERCHANT_CODE_CHARS - 1; i >= 0; i--) {
    code += CROCKFORD[Math.floor(bits / 2 ** (5 * i)) % 32];
  }
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The merchant code of a payee certificate (see {@link merchantCodeOfTbs}). */
export function merchantCode(cert: Pick<PayeeCertificate, 'tbs'>): string {
  return merchantCodeOfTbs(cert.tbs);
}

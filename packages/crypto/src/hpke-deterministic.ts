/**
 * Deterministic HPKE for test vectors only (RFC 9180 Appendix A and offpay's
 * `packages/protocol/vectors/v1.json`). Reached through the `@offpay/crypto/vector-tools`
 * subpath, never from the package's main entry: application code seals with `seal()`, whose
 * ephemeral key is always random.
 */
export {
  AEAD,
  HpkeContext,
  deriveKeyPair,
  keySchedule,
  openWith,
  sealWith,
  setupBaseR,
  setupBaseSWith,
  type AeadSuite,
  type KeySchedule,
} from './hpke-core.js';

/**
 * Protocol v1 constants: the version, domain-separation labels and every bound a decoder applies
 * (docs/protocol.md §2 and §3). Labels are length-prefixed when used (see `labelBytes`), so no
 * label is a prefix of another.
 */

/** The only protocol version this implementation speaks. */
export const VERSION = 1;

/** Labels prefixed to the to-be-signed bytes of each signed message. */
export const SIGN_LABEL = {
  payerCert: 'offpay/v1/payer-cert',
  payeeCert: 'offpay/v1/payee-cert',
  paymentRequest: 'offpay/v1/payment-request',
  payment: 'offpay/v1/payment',
  receipt: 'offpay/v1/receipt',
  settlementBatch: 'offpay/v1/settlement-batch',
  settlementResult: 'offpay/v1/settlement-result',
  revocationList: 'offpay/v1/revocation-list',
  revocationDelta: 'offpay/v1/revocation-delta',
  keyAnnouncement: 'offpay/v1/key-announcement',
  enrollment: 'offpay/v1/enrollment',
  ledgerHandover: 'offpay/v1/ledger-handover',
} as const;

/** Labels of hashes that are not signatures. */
export const HASH_LABEL = {
  payerGenesis: 'offpay/v1/payer-genesis',
  ledgerGenesis: 'offpay/v1/genesis',
  ledger: 'offpay/v1/ledger',
} as const;

/** Labels that start the HPKE `info` of each sealed message (followed by the recipient kid). */
export const SEAL_LABEL = {
  payment: 'offpay/v1/payment',
  settlement: 'offpay/v1/settlement',
} as const;

/** Certificate kinds (the second field of a certificate's tbs). */
export const CERT_TYPE = { payer: 1, payee: 2 } as const;

/** Settlement statuses of one entry. */
export const ENTRY_STATUS = { settled: 0, duplicate: 1, rejected: 2 } as const;

/**
 * Seconds after a payer certificate's `expiresAt` during which its payments still settle, and
 * after which its unspent reserve is released (DESIGN.md §3 "Expiry").
 */
export const GRACE_SECONDS = 3 * 24 * 3600;

/** How far ahead of the checking clock a payment's `createdAt` may be (clock skew allowance). */
export const MAX_FUTURE_SKEW_SECONDS = 300;

/** Largest amount, limit or spent total: 2^53 − 1 minor units. */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;

/**
 * Bounds applied before any allocation or signature check (docs/protocol.md §3, which says where
 * each applies). Published in the vectors' `constants.limits`.
 */
export const LIMITS = {
  /**
   * What a wallet may produce: every v1 payment seals to at most 392 bytes, and a sealed payment
   * must fit one QR code of version 15 at level M (600 characters → 397 bytes, §13.2).
   */
  sealedPaymentBytes: 397,
  /**
   * What a receiver opens, from any transport: paymentBytes + 81 bytes of HPKE. Above the 397 a
   * wallet produces, so a future version's larger payment is answered PROTO_VERSION_UNSUPPORTED
   * ("update the app") rather than PROTO_TOO_LARGE.
   */
  sealedPaymentAcceptBytes: 1024 + 81,
  /** An opened payment standing alone, and the tbs of any payment (nested ones too). */
  paymentBytes: 1024,
  requestBytes: 1024,
  receiptBytes: 512,
  /** A certificate standing alone, and the tbs of any certificate (nested ones too). */
  certificateBytes: 512,
  displayNameBytes: 64,
  memoBytes: 64,
  batchEntries: 1000,
  /** The signed batch `[tbs, signature]` inside the seal (the name is historical), and its tbs. */
  sealedBatchBytes: 1024 * 1024,
  /** The sealed batch's wire form `[1, kemKid, enc ‖ ciphertext ‖ tag]`: the batch plus framing. */
  sealedBatchWireBytes: 1024 * 1024 + 128,
  resultBytes: 256 * 1024,
  /**
   * Serials on one list: every revoked payer certificate that can still settle (docs/protocol.md
   * §11). 150,000 serials of 9 bytes each plus framing still fit a file (§13.1: 2,097,152
   * base64url characters); the bank alerts at 80 % and refuses to revoke beyond, never truncating.
   */
  revocationListEntries: 150_000,
  revocationListBytes: 150_000 * 9 + 1024,
  /** Serials added plus removed in one revocation delta (§11.1); more → the full list. */
  revocationDeltaEntries: 10_000,
  revocationDeltaBytes: 10_000 * 9 + 1024,
  fraudProofBytes: 2048,
  keyAnnouncementBytes: 256,
  /** A ledger handover `[tbs, signature]` (docs/protocol.md §9.7): about 130 bytes. */
  ledgerHandoverBytes: 256,
} as const;

/** Byte lengths of fixed-size fields. */
export const LEN = {
  kid: 8,
  publicKey: 33,
  signature: 64,
  hash: 32,
  requestId: 16,
} as const;

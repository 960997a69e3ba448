/**
 * @offpay/protocol — protocol v1: wire formats (deterministic CBOR), signing, sealing, the payer
 * chain, the receiver's ledger, settlement batches and results, fraud proofs, transport
 * encodings and error codes. Pure: no I/O; time and randomness are parameters.
 *
 * @example
 * ```ts
 * const { payment, state } = createPayment(payerCert, chainState, payerSecretKey, order);
 * const sealed = sealPayment(encodePayment(payment), request.payeeCert.kemKey, request.payeeKid);
 * const accepted = verifyPaymentOffline(sealed, receiverContext); // throws a coded error on refusal
 * ```
 */
export * from './announcement.js';
export * from './batch.js';
export { decodeCbor, encodeCbor, MAX_CBOR_DEPTH, type CborValue } from './cbor.js';
export * from './certificates.js';
export * from './clock.js';
export * from './constants.js';
export { isDisplayText } from './display-text.js';
export * from './enrollment.js';
export { MAX_TIME } from './fields.js';
export * from './errors.js';
export * from './fraud.js';
export * from './handover.js';
export * from './key-rotation.js';
export * from './keyset.js';
export * from './ledger.js';
export * from './merchant-code.js';
export * from './money.js';
export * from './payment.js';
export * from './receipt.js';
export * from './receiver.js';
export * from './request.js';
export * from './result.js';
export * from './revocation.js';
export * from './revocation-delta.js';
export * from './rules.js';
export {
  messageId,
  signedBytes,
  signerPublicKey,
  type Signer,
  type SigningKey,
  type Verifier,
} from './signing.js';
export * from './transport/index.js';
export * from './wallet.js';

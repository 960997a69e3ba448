/**
 * Enrollment with the bank (DESIGN.md §3 "Enrollment"): pin the bank's keys, log in, prove the
 * key by signing the single-use challenge, and keep the certificate the bank issues — after
 * checking it under the pinned keys and that it certifies our key. A renewal or a restored wallet
 * always enrolls a NEW key: a payer key is never certified twice after it has signed.
 */
import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  Money,
  decodePayerCertificate,
  fail,
  initialChainState,
  type PayerCertificate,
} from '@offpay/protocol';
import {
  AppError,
  certify,
  isBankRefusal,
  issuedCertificate,
  pinKeys,
  startEnrollment,
  withDetails,
  type BankClient,
  type EnrolledCertificate,
  type MetaOp,
  type PinnedKeys,
  type Vault,
} from '@offpay/app-kit';
import { MUST_ENROLL, PAYER_KEY, type WalletDb } from '../db.js';
import { mustEnroll, withWalletLock } from './wallet.js';

/** The bank calls an enrollment makes. */
export type EnrollClient = Pick<
  BankClient,
  'keys' | 'login' | 'accounts' | 'challenge' | 'enrollPayer'
>;

/** What the Enroll form asks for. The password is used once and never stored. */
export interface EnrollForm {
  email: string;
  password: string;
  /** The allowance as typed, e.g. "20.00", in the account's currency. */
  allowance: string;
}

/**
 * The key to enroll: the one made at setup for a first enrollment, a fresh one when renewing
 * (a certificate is already stored), after a restore, or when the vault holds none.
 */
export async function enrollmentKey(db: WalletDb, vault: Vault): Promise<Uint8Array> {
  const existing = vault.secret(PAYER_KEY);
  const renewing = (await db.count('chain')) > 0;
  if (!existing || renewing || (await mustEnroll(db))) return generateSecretKey();
  return existing;
}

/**
 * Keeps the certificate the bank issued: decodes it, verifies it under the pinned keys, checks it
 * certifies `secretKey`, then stores the key, the certificate with a fresh chain (replacing the
 * old one) and the pinned keys in one transaction, and clears the restored flag.
 * @throws PROTO_* when the certificate does not decode or verify; AppError APP_BANK_RESPONSE when
 *   it certifies another key or the keys cannot be kept; APP_STORAGE_FAILED
 */
export async function completeEnrollment(
  db: WalletDb,
  vault: Vault,
  enrolled: {
    secretKey: Uint8Array;
    certificate: Uint8Array;
    pinned: PinnedKeys;
    /** The writes that keep the followed keys (startEnrollment); default: pin `pinned`. */
    pin?: MetaOp[];
  },
): Promise<PayerCertificate> {
  const pin = enrolled.pin ?? [pinKeys(enrolled.pinned)];
  const signKey = getPublicKey(enrolled.secretKey);
  const cert = issuedCertificate(
    enrolled.certificate,
    enrolled.pinned.signKeys,
    decodePayerCertificate,
    { signKey },
  );
  const chain = { ...initialChainState(cert), certificate: enrolled.certificate };
  await withWalletLock(() =>
    vault.replace({ [PAYER_KEY]: enrolled.secretKey }, [
      { clear: 'chain' },
      { put: 'chain', value: chain },
      ...pin,
      { delete: 'meta', key: MUST_ENROLL },
    ]),
  );
  return cert;
}

/** The account the allowance is reserved from (the bank's default: the customer account). */
async function account(client: EnrollClient, token: string): Promise<{ currency: string }> {
  const found = (await client.accounts(token)).find((a) => a.kind === 'customer');
  if (!found) {
    throw new AppError(
      'APP_BANK_RESPONSE',
      'The bank shows no account to reserve an allowance from.',
    );
  }
  return found;
}

/** The bank's certificate for `secretKey`; a refusal for want of money gains the currency. */
async function requestCertificate(
  client: EnrollClient,
  token: string,
  secretKey: Uint8Array,
  limit: Money,
): Promise<EnrolledCertificate> {
  try {
    return await certify(client, token, {
      kind: 'payer',
      secretKey,
      limitMinor: BigInt(limit.minor),
    });
  } catch (e) {
    // The bank names the balance in minor units; the words need its currency.
    throw isBankRefusal(e, 'BANK_INSUFFICIENT_FUNDS')
      ? withDetails(e, { currency: limit.currency })
      : e;
  }
}

/**
 * The whole enrollment over HTTP (covered by the e2e suite). Returns the certificate and the
 * bank token, which the caller keeps in memory only.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE (also for bank keys it could not keep, before
 *   signing in), APP_STORAGE_FAILED; BankRefusal (wrong password, not enough money with the
 *   balance…); PROTO_AMOUNT_INVALID for an allowance that is not an amount
 */
export async function enrollWallet(
  db: WalletDb,
  vault: Vault,
  client: EnrollClient,
  form: EnrollForm,
): Promise<{ cert: PayerCertificate; token: string }> {
  const { keys, pin, token } = await startEnrollment(client, form, db);
  const limit = Money.parse(form.allowance, (await account(client, token)).currency);
  if (limit.minor < 1) {
    fail('PROTO_AMOUNT_INVALID', 'the allowance must be more than zero', { text: form.allowance });
  }
  let secretKey = await enrollmentKey(db, vault);
  let issued: EnrolledCertificate;
  try {
    issued = await requestCertificate(client, token, secretKey, limit);
  } catch (e) {
    // An earlier attempt got this key certified but never stored the certificate (a closed tab):
    // a key is certified once, so enroll a fresh one.
    if (!isBankRefusal(e, 'BANK_KEY_ALREADY_ENROLLED')) throw e;
    secretKey = generateSecretKey();
    issued = await requestCertificate(client, token, secretKey, limit);
  }
  const pinned = { signKeys: keys.signKeys, kemKey: keys.kemKey };
  const cert = await completeEnrollment(db, vault, {
    secretKey,
    certificate: issued.certificate,
    pinned,
    pin,
  });
  return { cert, token };
}

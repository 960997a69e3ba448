/**
 * Enrollment with the bank (DESIGN.md §3 "Enrollment"): pin the bank's keys, log in, prove the
 * key by signing the single-use challenge, and keep the certificate the bank issues — after
 * checking it under the pinned keys and that it certifies our key. A renewal or a restored wallet
 * always enrolls a NEW key: a payer key is never certified twice after it has signed.
 */
import { equalBytes, generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  Money,
  bankKeySet,
  decodePayerCertificate,
  fail,
  isAppError,
  initialChainState,
  signEnrollment,
  verifyCertificate,
  type PayerCertificate,
} from '@offpay/protocol';
import {
  AppError,
  type AppDb,
  type BankClient,
  type EnrolledCertificate,
  type Vault,
} from '@offpay/app-kit';
import { withWalletLock } from './lock.js';
import { KEY, PAYER_KEY, mustEnroll, readPinned, type PinnedKeys } from './store.js';

/** The bank calls an enrollment makes. */
export type EnrollClient = Pick<
  BankClient,
  'keys' | 'login' | 'accounts' | 'challenge' | 'enrollPayer'
>;

/**
 * The bank's keys as the wallet will store them. Checked before anything is asked of the bank:
 * keys the wallet could not read back would leave it unenrolled after the bank reserved the
 * allowance, and every retry would reserve another.
 * @throws AppError APP_BANK_RESPONSE
 */
function keepablePins(keys: PinnedKeys): PinnedKeys {
  const pinned = readPinned(keys);
  if (!pinned) {
    throw new AppError('APP_BANK_RESPONSE', 'The bank sent more keys than this wallet can keep.');
  }
  return pinned;
}

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
export async function enrollmentKey(db: AppDb, vault: Vault): Promise<Uint8Array> {
  const existing = vault.secret(PAYER_KEY);
  const renewing = (await db.get<unknown>(KEY.certificate)) !== undefined;
  if (!existing || renewing || (await mustEnroll(db))) return generateSecretKey();
  return existing;
}

/**
 * Keeps the certificate the bank issued: decodes it, verifies it under the pinned keys, checks it
 * certifies `secretKey`, then stores the key, certificate, a fresh chain and the pinned keys in
 * one transaction and clears the restored flag.
 * @throws PROTO_* when the certificate does not decode or verify; AppError APP_BANK_RESPONSE when
 *   it certifies another key or the keys cannot be stored; APP_STORAGE_FAILED
 */
export async function completeEnrollment(
  db: AppDb,
  vault: Vault,
  enrolled: { secretKey: Uint8Array; certificate: Uint8Array; pinned: PinnedKeys },
): Promise<PayerCertificate> {
  const pinned = keepablePins(enrolled.pinned);
  const cert = decodePayerCertificate(enrolled.certificate);
  verifyCertificate(cert, bankKeySet(pinned.signKeys));
  if (!equalBytes(cert.signKey, getPublicKey(enrolled.secretKey))) {
    throw new AppError('APP_BANK_RESPONSE', 'The bank certified another key than this wallet’s.');
  }
  await withWalletLock(() =>
    vault.replace({ [PAYER_KEY]: enrolled.secretKey }, [
      { put: KEY.certificate, value: enrolled.certificate },
      { put: KEY.chain, value: initialChainState(cert) },
      { put: KEY.bankKeys, value: { signKeys: pinned.signKeys, kemKey: pinned.kemKey } },
      { delete: KEY.mustEnroll },
    ]),
  );
  return cert;
}

/** The currency of the account the allowance is reserved from (the bank's default: the first). */
async function accountCurrency(client: EnrollClient, token: string): Promise<string> {
  const accounts = await client.accounts(token);
  const account = accounts.find((a) => a.kind === 'customer');
  if (!account) {
    throw new AppError(
      'APP_BANK_RESPONSE',
      'The bank shows no account to reserve an allowance from.',
    );
  }
  return account.currency;
}

/** Challenge, proof of possession, and the bank's certificate for `secretKey`. */
async function requestCertificate(
  client: EnrollClient,
  token: string,
  secretKey: Uint8Array,
  limit: Money,
): Promise<EnrolledCertificate> {
  const signKey = getPublicKey(secretKey);
  const { challengeId, challenge } = await client.challenge(token);
  const signature = signEnrollment(
    { kind: 'payer', challenge, signKey, kemKey: new Uint8Array(0) },
    secretKey,
  );
  return client.enrollPayer(token, {
    challengeId,
    signKey,
    signature,
    limitMinor: BigInt(limit.minor),
  });
}

/**
 * The whole enrollment over HTTP (covered by the e2e suite). Returns the certificate and the
 * bank token, which the caller keeps in memory only.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE (also for bank keys it could not store, before
 *   signing in), APP_STORAGE_FAILED; BankError (wrong password, over balance…);
 *   PROTO_AMOUNT_INVALID for an allowance that is not an amount
 */
export async function enrollWallet(
  db: AppDb,
  vault: Vault,
  client: EnrollClient,
  form: EnrollForm,
): Promise<{ cert: PayerCertificate; token: string }> {
  const keys = await client.keys();
  const pinned = keepablePins({ signKeys: keys.signKeys, kemKey: keys.kemKey });
  const token = await client.login(form.email, form.password);
  const limit = Money.parse(form.allowance, await accountCurrency(client, token));
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
    if (!isAppError(e, 'BANK_KEY_ALREADY_ENROLLED')) throw e;
    secretKey = generateSecretKey();
    issued = await requestCertificate(client, token, secretKey, limit);
  }
  const cert = await completeEnrollment(db, vault, {
    secretKey,
    certificate: issued.certificate,
    pinned,
  });
  return { cert, token };
}

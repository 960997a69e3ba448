/**
 * Enrollment (DESIGN.md §3 "Enrollment", docs/protocol.md §4.3): a single-use challenge, the
 * device's proof of possession, then the certificate. A payer certificate reserves its limit in
 * the same transaction that issues it. There is no re-issue: a restored wallet enrolls again
 * with a new key (DESIGN.md §3 "Restore").
 */
import { kid, randomBytes, toBase64Url, toHex } from '@offpay/crypto';
import {
  CHALLENGE_LENGTH,
  encodeCertificate,
  isAppError,
  issuePayeeCertificate,
  issuePayerCertificate,
  ledgerGenesis,
  verifyEnrollment,
  type EnrollmentRequest,
} from '@offpay/protocol';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database, Queryable } from '../../db/queryable.js';
import { BankApiError, bankFail, isBankError } from '../../errors.js';
import type { ChallengeStore } from '../../kv/kv.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { protocolSigner } from '../keys/keys.signer.js';
import {
  acceptChallenge,
  certifiableDisplayName,
  certificateExpiry,
  CHALLENGE_TTL_SECONDS,
  encodeChallengeRecord,
  requireCompressedKey,
  reserveReference,
} from './certificates.domain.js';
import {
  ensureReserveAccount,
  findCustomerAccount,
  findDisplayName,
  insertPayeeCertificate,
  insertPayerCertificate,
  nextSerial,
  payeeKidTaken,
  type CustomerAccount,
} from './certificates.repo.js';

/** What enrollment needs. */
export interface EnrollmentDeps {
  db: Database;
  challenges: ChallengeStore;
  accounts: Pick<AccountsService, 'transfer'>;
  audit: AuditLog;
  keyring: BankKeyring;
  now: () => Date;
  ttl: { payerSeconds: number; payeeSeconds: number };
}

/** A fresh challenge for the device to sign. */
export interface IssuedChallenge {
  challengeId: string;
  challenge: Uint8Array;
  expiresAt: Date;
}

/** A payer's request: the proof over the challenge, and the limit to reserve. */
export interface PayerEnrollment {
  challengeId: string;
  signKey: Uint8Array;
  signature: Uint8Array;
  limit: bigint;
  /** Default: the currency of the account opened at registration. */
  currency?: string;
}

/** A payee's request: the proof over the challenge and both keys. */
export interface PayeeEnrollment {
  challengeId: string;
  signKey: Uint8Array;
  kemKey: Uint8Array;
  signature: Uint8Array;
}

/** An issued certificate. */
export interface IssuedCertificate {
  serial: number;
  /** Wire bytes: CBOR `[tbs, signature]`. */
  certificate: Uint8Array;
  expiresAt: Date;
  currency: string;
}

/** Creates a challenge bound to `userId`, answerable once within 5 minutes. */
export async function createChallenge(
  deps: EnrollmentDeps,
  userId: string,
): Promise<IssuedChallenge> {
  const challengeId = toBase64Url(randomBytes(16));
  const challenge = randomBytes(CHALLENGE_LENGTH);
  const expiresAt = new Date(deps.now().getTime() + CHALLENGE_TTL_SECONDS * 1000);
  const record = encodeChallengeRecord({ userId, challenge, expiresAtMs: expiresAt.getTime() });
  await deps.challenges.put(challengeId, record, CHALLENGE_TTL_SECONDS);
  return { challengeId, challenge, expiresAt };
}

/**
 * Takes the challenge (whatever happens next, it cannot be answered again) and checks the
 * device's proof of possession over it.
 * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID
 */
async function checkProof(
  deps: EnrollmentDeps,
  userId: string,
  req: { challengeId: string; signature: Uint8Array } & Omit<EnrollmentRequest, 'challenge'>,
): Promise<void> {
  const stored = await deps.challenges.take(req.challengeId);
  const challenge = acceptChallenge(stored, userId, deps.now().getTime());
  requireCompressedKey(req.signKey, 'signKey');
  if (req.kind === 'payee') requireCompressedKey(req.kemKey, 'kemKey');
  try {
    verifyEnrollment({ ...req, challenge }, req.signature);
  } catch (err) {
    if (!isAppError(err, 'PROTO_SIGNATURE_INVALID')) throw err;
    bankFail(
      'BANK_ENROLLMENT_PROOF_INVALID',
      'The enrollment signature does not verify under the signing key sent',
    );
  }
}

async function customerAccount(
  tx: Queryable,
  userId: string,
  currency: string | null,
): Promise<CustomerAccount> {
  const account = await findCustomerAccount(tx, userId, currency);
  if (!account)
    bankFail('BANK_ACCOUNT_NOT_FOUND', `You have no account in ${currency ?? 'any currency'}`);
  return account;
}

/** Moves the limit into the user's reserve; a clearer message when the balance falls short. */
async function reserveLimit(
  deps: EnrollmentDeps,
  tx: Queryable,
  c: { userId: string; account: CustomerAccount; serial: number; limit: bigint },
): Promise<void> {
  const reserve = await ensureReserveAccount(tx, c.userId, c.account.currency);
  try {
    await deps.accounts.transfer(tx, {
      kind: 'reserve',
      reference: reserveReference(c.serial),
      legs: [
        { accountId: c.account.id, amount: -c.limit },
        { accountId: reserve, amount: c.limit },
      ],
    });
  } catch (err) {
    if (!isBankError(err, 'BANK_INSUFFICIENT_FUNDS')) throw err;
    throw new BankApiError(
      'BANK_INSUFFICIENT_FUNDS',
      `Your balance of ${err.details.balanceMinor} does not cover the limit of ${c.limit} to reserve`,
      err.details,
    );
  }
}

/**
 * Issues a payer certificate and reserves its limit, in one transaction.
 * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID,
 * BANK_ACCOUNT_NOT_FOUND, BANK_INSUFFICIENT_FUNDS
 */
export async function enrollPayer(
  deps: EnrollmentDeps,
  userId: string,
  req: PayerEnrollment,
): Promise<IssuedCertificate & { limit: bigint }> {
  await checkProof(deps, userId, { ...req, kind: 'payer', kemKey: new Uint8Array(0) });
  return deps.db.transaction((tx) => issuePayer(deps, tx, userId, req));
}

async function issuePayer(
  deps: EnrollmentDeps,
  tx: Queryable,
  userId: string,
  req: PayerEnrollment,
): Promise<IssuedCertificate & { limit: bigint }> {
  const now = deps.now();
  const account = await customerAccount(tx, userId, req.currency ?? null);
  const { signKey, limit } = req;
  const currency = account.currency;
  const serial = await nextSerial(tx);
  await reserveLimit(deps, tx, { userId, account, serial, limit });
  const expiresAt = certificateExpiry(now, deps.ttl.payerSeconds);
  // limit ≤ 2^53 − 1 (checked at the route), so the number is exact.
  const cert = issuePayerCertificate(
    { serial, signKey, currency, expiresAt, limit: Number(limit) },
    protocolSigner(deps.keyring),
  );
  const bytes = encodeCertificate(cert);
  const at = { issuedAt: now, expiresAt: new Date(expiresAt * 1000) };
  await insertPayerCertificate(tx, {
    serial,
    accountId: account.id,
    issuerKid: cert.issuerKid,
    kid: kid(signKey),
    signKey,
    currency,
    limit,
    cert: bytes,
    ...at,
  });
  await deps.audit.append(tx, {
    actor: `user:${userId}`,
    action: 'certificate.payer_issued',
    data: { serial: String(serial), limitMinor: limit.toString(), currency },
  });
  return { serial, certificate: bytes, expiresAt: at.expiresAt, currency, limit };
}

function keyTaken(signKey: Uint8Array): never {
  bankFail('BANK_KEY_ALREADY_ENROLLED', 'This signing key already has a payee certificate', {
    kid: toHex(kid(signKey)),
  });
}

/**
 * Issues a payee certificate with the account's verified display name and opens its settled
 * ledger head at the genesis, in one transaction.
 * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID,
 * BANK_ACCOUNT_NOT_FOUND, BANK_DISPLAY_NAME_UNUSABLE, BANK_KEY_ALREADY_ENROLLED
 */
export async function enrollPayee(
  deps: EnrollmentDeps,
  userId: string,
  req: PayeeEnrollment,
): Promise<IssuedCertificate & { displayName: string }> {
  await checkProof(deps, userId, { ...req, kind: 'payee' });
  try {
    return await deps.db.transaction((tx) => issuePayee(deps, tx, userId, req));
  } catch (err) {
    // Two enrollments of one key racing: the unique kid decides, the loser gets the clear code.
    if (isUniqueViolation(err, 'payee_certificates_kid_key')) keyTaken(req.signKey);
    throw err;
  }
}

async function issuePayee(
  deps: EnrollmentDeps,
  tx: Queryable,
  userId: string,
  req: PayeeEnrollment,
): Promise<IssuedCertificate & { displayName: string }> {
  const now = deps.now();
  const account = await customerAccount(tx, userId, null);
  const displayName = certifiableDisplayName((await findDisplayName(tx, userId)) ?? '');
  if (await payeeKidTaken(tx, kid(req.signKey))) keyTaken(req.signKey);
  const serial = await nextSerial(tx);
  const expiresAt = certificateExpiry(now, deps.ttl.payeeSeconds);
  const { signKey, kemKey } = req;
  const currency = account.currency;
  const cert = issuePayeeCertificate(
    { serial, signKey, kemKey, currency, expiresAt, displayName },
    protocolSigner(deps.keyring),
  );
  const bytes = encodeCertificate(cert);
  const at = { issuedAt: now, expiresAt: new Date(expiresAt * 1000) };
  await insertPayeeCertificate(
    tx,
    {
      serial,
      accountId: account.id,
      issuerKid: cert.issuerKid,
      kid: kid(signKey),
      signKey,
      kemKey,
      displayName,
      currency,
      cert: bytes,
      ...at,
    },
    ledgerGenesis(serial),
  );
  await deps.audit.append(tx, {
    actor: `user:${userId}`,
    action: 'certificate.payee_issued',
    data: { serial: String(serial), currency },
  });
  return { serial, certificate: bytes, expiresAt: at.expiresAt, currency, displayName };
}

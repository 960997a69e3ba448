/**
 * Issuing a certificate, inside the enrollment's transaction (DESIGN.md §3 "Enrollment"): a payer
 * certificate reserves its limit in the same transaction that issues it; a payee certificate is
 * issued only to a verified merchant, carries the name the bank verified, and opens the payee's
 * settled ledger head. There is
 * no re-issue: a restored wallet enrolls again with a new key (DESIGN.md §3 "Restore").
 */
import { equalBytes, kid, toHex } from '@offpay/crypto';
import {
  encodeCertificate,
  issuePayeeCertificate,
  issuePayerCertificate,
  ledgerGenesis,
} from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { BankApiError, bankFail, isBankError } from '../../errors.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { BankKeyring } from '../keys/keys.service.js';
import { protocolSigner } from '../keys/keys.signer.js';
import { reserveReference } from '../reserves/reserves.domain.js';
import { certifiableDisplayName, certificateExpiry } from './enrollment.domain.js';
import {
  ensureReserveAccount,
  findCustomerAccount,
  findEnrolledPayee,
  findVerifiedName,
  insertPayeeCertificate,
  insertPayerCertificate,
  nextSerial,
  type CustomerAccount,
} from './enrollment.repo.js';

/** What issuing needs. */
export interface IssueDeps {
  accounts: Pick<AccountsService, 'transfer'>;
  audit: AuditLog;
  keyring: BankKeyring;
  now: () => Date;
  ttl: { payerSeconds: number; payeeSeconds: number };
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
  deps: IssueDeps,
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
 * Issues a payer certificate and reserves its limit, inside `tx`.
 * @throws BANK_ACCOUNT_NOT_FOUND, BANK_INSUFFICIENT_FUNDS
 */
export async function issuePayer(
  deps: IssueDeps,
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

/**
 * The display name a payee certificate of `userId` carries: the name the bank verified for its
 * merchant identity, never the name typed at registration (issue #12: impostor merchants).
 * @throws BANK_MERCHANT_NOT_VERIFIED
 */
async function verifiedName(tx: Queryable, userId: string): Promise<string> {
  const found = await findVerifiedName(tx, userId);
  if ('displayName' in found) return found.displayName;
  const why = {
    none: 'apply first (POST /v1/merchant/application)',
    pending: 'your application is waiting for an operator',
    refused: 'your application was refused (GET /v1/merchant/application says why)',
  }[found.state];
  return bankFail(
    'BANK_MERCHANT_NOT_VERIFIED',
    `The bank issues payee certificates to verified merchants only: ${why}`,
    { state: found.state },
  );
}

/** @throws BANK_KEY_ALREADY_ENROLLED for the payee key `signKey`. */
export function keyTaken(signKey: Uint8Array): never {
  bankFail('BANK_KEY_ALREADY_ENROLLED', 'This signing key already has a payee certificate', {
    kid: toHex(kid(signKey)),
  });
}

/**
 * The certificate this user's till already holds for these very keys, still active and
 * unexpired: enrolling again (after the bank rotated its keys, to pin them again) is answered
 * with it — one key, one certificate, one ledger (issue #12: re-enrollment after a KEM rotation
 * was refused). Any other holder of the key is refused.
 * @throws BANK_KEY_ALREADY_ENROLLED when another user's, another KEM key's, or a closed, revoked
 * or expired certificate holds the signing key
 */
async function heldPayee(
  tx: Queryable,
  userId: string,
  req: PayeeEnrollment,
  now: Date,
): Promise<(IssuedCertificate & { displayName: string }) | null> {
  const held = await findEnrolledPayee(tx, kid(req.signKey));
  if (!held) return null;
  const same =
    held.userId === userId &&
    equalBytes(held.kemKey, req.kemKey) &&
    held.status === 'active' &&
    held.expiresAt > now;
  if (!same) keyTaken(req.signKey);
  const { serial, cert: certificate, expiresAt, currency, displayName } = held;
  return { serial, certificate, expiresAt, currency, displayName };
}

/**
 * Issues a payee certificate with the account's verified merchant name and opens its settled
 * ledger head at the genesis, inside `tx` — or answers with the one these keys already hold.
 * @throws BANK_ACCOUNT_NOT_FOUND, BANK_MERCHANT_NOT_VERIFIED, BANK_DISPLAY_NAME_UNUSABLE,
 * BANK_KEY_ALREADY_ENROLLED
 */
export async function issuePayee(
  deps: IssueDeps,
  tx: Queryable,
  userId: string,
  req: PayeeEnrollment,
): Promise<IssuedCertificate & { displayName: string }> {
  const now = deps.now();
  const held = await heldPayee(tx, userId, req, now);
  if (held) return held;
  const account = await customerAccount(tx, userId, null);
  const displayName = certifiableDisplayName(await verifiedName(tx, userId));
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

/**
 * Taking over a stolen till's ledger on new keys (docs/protocol.md §9.7, docs/apps.md "Lost or
 * stolen device"). A till whose own certificate the bank refuses as compromised (403
 * `BANK_PAYEE_REVOKED`: the merchant reported it lost or stolen, and this is its backup restored)
 * makes new keys, enrolls them for the same account, signs the handover of its ledger from the
 * settled head it holds, settles the rest of the ledger in batches signed by the new key (§9.4
 * steps 8–9), and then takes payments under the new certificate on a fresh ledger.
 *
 * Every step is recorded in the `handover` meta row in the same transaction as what it made, so a
 * tab closed midway resumes where it stopped: `keys` (the new keys are in the vault), `enrolled`
 * (their certificate is kept), `handedOver` (the bank accepted the handover). The switch to the
 * new keys happens only once the old ledger is settled to its end, in one transaction.
 */
import { equalBytes, generateSecretKey, getPublicKey, kid, toHex } from '@offpay/crypto';
import {
  decodePayeeCertificate,
  isAppError,
  encodeLedgerHandover,
  signLedgerHandover,
  type PayeeCertificate,
} from '@offpay/protocol';
import {
  AppError,
  bytes,
  certify,
  issuedCertificate,
  oneOf,
  pinnedKeys,
  vaultSecrets,
  verifiedCertificate,
  type BankClient,
  type Vault,
} from '@offpay/app-kit';
import { META, NEXT_SECRET, SECRET, type TillDb, type TillReads } from '../db.js';
import { pendingBatches, unsettled } from './batches.js';
import { settleNow, type SettleProgress, type SettleSummary } from './settle.js';
import { loadTill, readHead, withTillLock, type Till } from './till.js';

/** Where a takeover stands: see the module comment. */
export type HandoverStep = 'keys' | 'enrolled' | 'handedOver';

interface HandoverRow {
  step: HandoverStep;
  /** The successor's payee certificate (from `enrolled` on). */
  certificate?: Uint8Array;
}

const isStep = oneOf('keys', 'enrolled', 'handedOver') as (v: unknown) => v is HandoverStep;

/** The takeover under way, or undefined for none (a damaged row counts as none). */
export async function handoverStep(db: TillReads): Promise<HandoverStep | undefined> {
  return (await readRow(db))?.step;
}

async function readRow(db: TillReads): Promise<HandoverRow | undefined> {
  const row = (await db.get('meta', META.handover)) as Partial<HandoverRow> | undefined;
  const step = row?.step;
  if (!isStep(step)) return undefined;
  if (step === 'keys') return { step };
  return bytes(1, 1024)(row?.certificate) ? { step, certificate: row.certificate } : undefined;
}

/** What a takeover run did. */
export interface TakeoverResult {
  /** The old ledger's settling (in batches signed by the new key). */
  settled: SettleSummary;
  /** The till under its new certificate, once switched; undefined while entries remain. */
  till: Till | undefined;
}

/**
 * Runs (or resumes) the takeover of `till`'s ledger, signed in with `token`, and switches the till
 * to its new keys once the old ledger is settled to its end.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE, APP_VAULT_MISSING; BankRefusal (the handover
 *   refused: BANK_HANDOVER_REFUSED…); what settling throws (state/settle.ts)
 */
export async function takeOverLedger(
  db: TillDb,
  vault: Vault,
  till: Till,
  bank: BankClient,
  token: string,
  report: (p: SettleProgress) => void,
  nowMs: number = Date.now(),
): Promise<TakeoverResult> {
  let row = await readRow(db);
  if (!row) row = await makeKeys(db, vault);
  if (row.step === 'keys') {
    report({ kind: 'status', text: 'Enrolling the new keys with the bank…' });
    row = await enrollSuccessor(db, vault, till, bank, token);
  }
  const successor = successorCert(row, till);
  if (row.step === 'enrolled') {
    report({ kind: 'status', text: 'Handing the ledger over to the new keys…' });
    await handOver(db, vault, till, { bytes: row.certificate!, cert: successor }, bank);
  }
  const signing: Till = { ...till, signSecret: nextSecret(vault, NEXT_SECRET.sign) };
  const settled = await settleNow(db, signing, bank, token, report, nowMs);
  return { settled, till: await switchToSuccessor(db, vault, till, successor) };
}

/** Step 1: the successor's two keys, made on the device, kept in the vault with the step. */
async function makeKeys(db: TillDb, vault: Vault): Promise<HandoverRow> {
  const row: HandoverRow = { step: 'keys' };
  const secrets = {
    ...vaultSecrets(vault),
    [NEXT_SECRET.sign]: generateSecretKey(),
    [NEXT_SECRET.kem]: generateSecretKey(),
  };
  await vault.replace(secrets, [{ put: 'meta', key: META.handover, value: row }]);
  return row;
}

/**
 * Step 2: the bank certifies the new keys for the signed-in account. A key the bank certified
 * already (the answer was lost when the tab closed) is replaced by a fresh pair, once.
 */
async function enrollSuccessor(
  db: TillDb,
  vault: Vault,
  till: Till,
  bank: BankClient,
  token: string,
): Promise<HandoverRow> {
  let enrolled;
  try {
    enrolled = await certifyNext(vault, bank, token);
  } catch (e) {
    if (!isAppError(e, 'BANK_KEY_ALREADY_ENROLLED')) throw e;
    await makeKeys(db, vault);
    enrolled = await certifyNext(vault, bank, token);
  }
  const pinned = await pinnedKeys(db);
  if (!pinned) throw new AppError('APP_BANK_RESPONSE');
  const mine = {
    signKey: nextPublic(vault, NEXT_SECRET.sign),
    kemKey: nextPublic(vault, NEXT_SECRET.kem),
  };
  const cert = issuedCertificate(
    enrolled.certificate,
    pinned.signKeys,
    decodePayeeCertificate,
    mine,
  );
  if (cert.currency !== till.cert.currency) {
    throw new AppError('APP_BANK_RESPONSE', 'The new till was certified for another currency.');
  }
  const row: HandoverRow = { step: 'enrolled', certificate: enrolled.certificate };
  await db.write([{ put: 'meta', key: META.handover, value: row }]);
  return row;
}

function certifyNext(vault: Vault, bank: BankClient, token: string) {
  const secretKey = nextSecret(vault, NEXT_SECRET.sign);
  const kemKey = nextPublic(vault, NEXT_SECRET.kem);
  return certify(bank, token, { kind: 'payee', secretKey, kemKey });
}

/**
 * Step 3: the handover, signed by the new key, from the settled head this ledger holds (§9.7).
 * The same handover again changes nothing at the bank, so a resumed run simply posts it again.
 */
async function handOver(
  db: TillDb,
  vault: Vault,
  till: Till,
  next: { bytes: Uint8Array; cert: PayeeCertificate },
  bank: BankClient,
): Promise<void> {
  const successor = next.cert;
  const from = await readHead(db, META.settledHead, till);
  const handover = signLedgerHandover(
    { fromPayeeKid: till.kid, toPayeeKid: kid(successor.signKey), from },
    nextSecret(vault, NEXT_SECRET.sign),
  );
  const answer = await bank.ledgerHandover(encodeLedgerHandover(handover));
  if (
    answer.fromSerial !== String(till.cert.serial) ||
    answer.toSerial !== String(successor.serial) ||
    answer.nextIndex !== from.nextIndex ||
    answer.head !== toHex(from.head)
  ) {
    throw new AppError('APP_BANK_RESPONSE');
  }
  const row: HandoverRow = { step: 'handedOver', certificate: next.bytes };
  await db.write([{ put: 'meta', key: META.handover, value: row }]);
}

/** The successor's certificate, verified under the pinned keys when it was kept. */
function successorCert(row: HandoverRow, till: Till): PayeeCertificate {
  if (!row.certificate) throw new AppError('APP_BANK_RESPONSE');
  return verifiedCertificate(row.certificate, till.bankKeys, decodePayeeCertificate);
}

/**
 * Step 4, the switch: once the old ledger is settled to its end (no entry after the settled head,
 * no batch waiting), the new keys become the till's and its certificate the new one, and the
 * ledger starts afresh for it — all in one transaction with the vault. The old entries, every one
 * settled, leave the device (the bank's statement keeps them); its requests named the old till.
 * Undefined, changing nothing, while entries remain (a payment accepted meanwhile: settle again).
 */
function switchToSuccessor(
  db: TillDb,
  vault: Vault,
  till: Till,
  successor: PayeeCertificate,
): Promise<Till | undefined> {
  return withTillLock(async () => {
    const [left, pending, row] = await Promise.all([
      unsettled(db, till),
      pendingBatches(db),
      readRow(db),
    ]);
    if (left.records.length > 0 || pending.length > 0 || row?.step !== 'handedOver') {
      return undefined;
    }
    const sign = nextSecret(vault, NEXT_SECRET.sign);
    const kem = nextSecret(vault, NEXT_SECRET.kem);
    if (!equalBytes(getPublicKey(sign), successor.signKey)) throw new AppError('APP_VAULT_MISSING');
    await vault.replace({ [SECRET.sign]: sign, [SECRET.kem]: kem }, [
      { put: 'meta', key: META.certificate, value: row.certificate },
      { delete: 'meta', key: META.ledgerHead },
      { delete: 'meta', key: META.settledHead },
      { delete: 'meta', key: META.currentRequest },
      { delete: 'meta', key: META.handover },
      { clear: 'ledger' },
      { clear: 'payers' },
      { clear: 'outcomes' },
      { clear: 'batches' },
      { clear: 'requests' },
    ]);
    return loadTill(db, vault);
  });
}

function nextSecret(vault: Vault, name: string): Uint8Array {
  const secret = vault.secret(name);
  if (!secret) throw new AppError('APP_VAULT_MISSING');
  return secret;
}

function nextPublic(vault: Vault, name: string): Uint8Array {
  const key = vault.publicKey(name);
  if (!key) throw new AppError('APP_VAULT_MISSING');
  return key;
}

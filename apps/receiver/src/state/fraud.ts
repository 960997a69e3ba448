/**
 * Fraud proofs caught offline (DESIGN.md §3 "Fraud proofs", docs/protocol.md §8): the till keeps
 * each proof, refuses the cheating payer from then on (a local revocation), and hands the proof
 * to the bank (POST /v1/fraud-proofs, no login) in the quiet refresh whenever it is online.
 */
import { fromBase64Url, sha256, toHex, utf8 } from '@offpay/crypto';
import { LIMITS } from '@offpay/protocol';
import { count, isBankRefusal, refreshRevocations, type BankClient } from '@offpay/app-kit';
import { META, type StoredFraudProof, type TillDb } from '../db.js';
import { localRevoked } from './till.js';

const MAX_PROOF_CHARS = Math.ceil((LIMITS.fraudProofBytes * 4) / 3);

/**
 * Keeps the proof a PROTO_FRAUD_* error carries and revokes its payer locally, in one transaction
 * with the read of the payers revoked so far (two tabs catching two payers at once keep both).
 * Errors without a usable proof are ignored (the refusal is shown either way).
 */
export async function keepFraudProof(
  db: TillDb,
  error: { code: string; details?: unknown },
  now: number,
): Promise<void> {
  const d = (error.details ?? {}) as Record<string, unknown>;
  const { proof, serial, kind } = d;
  if (typeof proof !== 'string' || proof.length > MAX_PROOF_CHARS || !count(serial)) return;
  const stored: StoredFraudProof = {
    id: toHex(sha256(utf8(proof))).slice(0, 32),
    serial,
    fraudKind: typeof kind === 'string' ? kind : error.code,
    proof,
    foundAt: now,
    status: 'pending',
  };
  await db.transaction(['fraud', 'meta'], async (tx) => {
    const revoked = new Set(await localRevoked(tx)).add(serial);
    await tx.write([
      { put: 'fraud', value: stored },
      { put: 'meta', key: META.localRevoked, value: [...revoked].sort((a, b) => a - b) },
    ]);
  });
}

/** Statuses whose coded answer is the bank's final word on a proof (the proof itself is bad). */
const DEFINITIVE = new Set([400, 413, 422]);

/**
 * Hands every pending proof to the bank. A proof stays pending for the next time when the bank
 * cannot be reached or answers 404, 429 or 5xx; only a refusal of the proof itself (400, 413 or
 * 422 with the bank's code) marks it refused. Returns how many the bank took.
 */
export async function submitFraudProofs(db: TillDb, bank: Pick<BankClient, 'reportFraudProof'>) {
  let taken = 0;
  for (const p of await db.all('fraud')) {
    if (p.status !== 'pending') continue;
    let next: StoredFraudProof;
    try {
      await bank.reportFraudProof(fromBase64Url(p.proof));
      next = { ...p, status: 'submitted' };
      taken++;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'APP_OFFLINE') return taken;
      if (!isBankRefusal(e) || !DEFINITIVE.has(e.status)) continue;
      next = { ...p, status: 'refused', code: e.code };
    }
    await db.write([{ put: 'fraud', value: next }]);
  }
  return taken;
}

/**
 * The quiet refresh whenever the till is online: the bank-signed revocation list and clock
 * (app-kit), then the fraud proofs waiting to be handed over.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; PROTO_* when the list does not verify
 */
export async function refreshTill(
  db: TillDb,
  bank: Pick<BankClient, 'revocations' | 'reportFraudProof'>,
): Promise<{ proofsSubmitted: number }> {
  await refreshRevocations(db, bank);
  return { proofsSubmitted: await submitFraudProofs(db, bank) };
}

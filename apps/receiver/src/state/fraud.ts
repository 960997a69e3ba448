/**
 * Fraud proofs caught offline (DESIGN.md §3 "Fraud proofs", docs/protocol.md §8): the till keeps
 * each proof, refuses the cheating payer from then on (a local revocation), and hands the proof
 * to the bank (POST /v1/fraud-proofs, no login) when it is online.
 */
import { fromBase64Url, sha256, toHex, utf8 } from '@offpay/crypto';
import { LIMITS } from '@offpay/protocol';
import { AppError, BankError, type AppDb, type BankClient } from '@offpay/app-kit';
import { asRecord, isCount, KEY, localRevoked } from './store.js';

/** A kept fraud proof. */
export interface StoredFraudProof {
  kind: 'fraud';
  serial: number;
  fraudKind: string;
  /** The proof's bytes, base64url, exactly as the protocol made them. */
  proof: string;
  foundAt: number;
  status: 'pending' | 'submitted' | 'refused';
  /** The bank's code when it refused the proof. */
  code?: string;
}

const MAX_PROOF_CHARS = Math.ceil((LIMITS.fraudProofBytes * 4) / 3);

/**
 * Keeps the proof a PROTO_FRAUD_* error carries and revokes its payer locally, in one write.
 * Errors without a usable proof are ignored (the refusal is shown either way).
 */
export async function keepFraudProof(
  db: AppDb,
  error: { code: string; details?: unknown },
  now: number,
): Promise<void> {
  const d = asRecord(error.details);
  const proof = d?.['proof'];
  const serial = d?.['serial'];
  if (typeof proof !== 'string' || proof.length > MAX_PROOF_CHARS || !isCount(serial)) return;
  const id = toHex(sha256(utf8(proof))).slice(0, 32);
  const revoked = new Set(await localRevoked(db));
  revoked.add(serial);
  const stored: StoredFraudProof = {
    kind: 'fraud',
    serial,
    fraudKind: typeof d?.['kind'] === 'string' ? d['kind'] : error.code,
    proof,
    foundAt: now,
    status: 'pending',
  };
  await db.write([
    { log: 'history', key: `fraud:${id}`, value: stored },
    { put: KEY.localRevoked, value: [...revoked].sort((a, b) => a - b) },
  ]);
}

/** Every kept proof with its history key. */
export async function fraudProofs(db: AppDb): Promise<StoredFraudProof[]> {
  const out: StoredFraudProof[] = [];
  for (const row of await db.list<unknown>('history')) {
    const r = asRecord(row);
    if (!r || r['kind'] !== 'fraud' || typeof r['proof'] !== 'string') continue;
    if (!isCount(r['serial']) || !isCount(r['foundAt'])) continue;
    out.push(r as unknown as StoredFraudProof);
  }
  return out;
}

/**
 * Hands every pending proof to the bank (POST /v1/fraud-proofs through the BankClient, which
 * bounds and checks the answer and times out). A proof stays pending for the next time when the
 * bank cannot be reached or answers 404, 429 or 5xx; only a refusal of the proof itself (400, 413
 * or 422 with the bank's code) marks it refused. Returns how many the bank took.
 */
export async function submitFraudProofs(db: AppDb, bank: BankClient): Promise<number> {
  let taken = 0;
  for (const p of await fraudProofs(db)) {
    if (p.status !== 'pending') continue;
    let proof: Uint8Array;
    try {
      proof = fromBase64Url(p.proof);
    } catch {
      continue;
    }
    let next: StoredFraudProof;
    try {
      await bank.reportFraudProof(proof);
      next = { ...p, status: 'submitted' };
      taken++;
    } catch (e) {
      if (e instanceof AppError && e.code === 'APP_OFFLINE') return taken;
      if (!(e instanceof BankError) || !DEFINITIVE.has(e.status)) continue;
      next = { ...p, status: 'refused', code: e.code };
    }
    const id = toHex(sha256(utf8(p.proof))).slice(0, 32);
    await db.write([{ log: 'history', key: `fraud:${id}`, value: next }]);
  }
  return taken;
}

/** Statuses whose coded answer is the bank's final word on a proof (the proof itself is bad). */
const DEFINITIVE = new Set([400, 413, 422]);

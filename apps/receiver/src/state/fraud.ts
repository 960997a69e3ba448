/**
 * Fraud proofs caught offline (DESIGN.md §3 "Fraud proofs", docs/protocol.md §8): the till keeps
 * each proof, refuses the cheating payer from then on (a local revocation), and hands the proof
 * to the bank (POST /v1/fraud-proofs, no login) when it is online.
 */
import { fromBase64Url, sha256, toHex, utf8 } from '@offpay/crypto';
import { LIMITS } from '@offpay/protocol';
import type { AppDb } from '@offpay/app-kit';
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
 * Hands every pending proof to the bank. A network failure leaves it pending for next time; a
 * refusal is recorded with the bank's code. Returns how many the bank took.
 */
export async function submitFraudProofs(
  db: AppDb,
  baseUrl: string,
  fetchImpl: typeof fetch = (...args) => fetch(...args),
): Promise<number> {
  let taken = 0;
  for (const p of await fraudProofs(db)) {
    if (p.status !== 'pending') continue;
    try {
      fromBase64Url(p.proof);
    } catch {
      continue;
    }
    let res: Response;
    try {
      res = await fetchImpl(new URL('/v1/fraud-proofs', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ proof: p.proof }),
      });
    } catch {
      return taken;
    }
    const code = res.ok ? undefined : await errorCode(res);
    if (res.status >= 500) continue;
    const id = toHex(sha256(utf8(p.proof))).slice(0, 32);
    const next: StoredFraudProof = res.ok
      ? { ...p, status: 'submitted' }
      : { ...p, status: 'refused', code: code ?? `HTTP_${res.status}` };
    await db.write([{ log: 'history', key: `fraud:${id}`, value: next }]);
    if (res.ok) taken++;
  }
  return taken;
}

async function errorCode(res: Response): Promise<string | undefined> {
  try {
    const body = asRecord(await res.json());
    const code = body?.['code'];
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

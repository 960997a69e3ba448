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

/** Largest answer body read from POST /v1/fraud-proofs. */
export const MAX_FRAUD_ANSWER_BYTES = 64 * 1024;

/** How long one submission may take before it counts as a network failure. */
const SUBMIT_TIMEOUT_MS = 20_000;

/** Statuses whose coded answer is the bank's final word on a proof (the proof itself is bad). */
const DEFINITIVE = new Set([400, 413, 422]);

/** POST /v1/fraud-proofs under the bank address, keeping its path (as BankClient builds URLs). */
export function fraudProofUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/v1/fraud-proofs`;
}

/**
 * Hands every pending proof to the bank. A proof stays pending for the next time on a network
 * failure, a timeout, 404, 429, a 5xx or any answer without the bank's code; only a coded refusal
 * of the proof itself (400/413/422 with a BANK_ or PROTO_ code) marks it refused. Returns how
 * many the bank took.
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
    let body: string;
    try {
      res = await fetchImpl(fraudProofUrl(baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ proof: p.proof }),
        signal: AbortSignal.timeout(SUBMIT_TIMEOUT_MS),
      });
      body = res.ok ? '' : await readText(res, MAX_FRAUD_ANSWER_BYTES);
    } catch {
      return taken;
    }
    if (res.ok) await res.body?.cancel().catch(() => undefined);
    const code = res.ok ? undefined : refusalCode(res.status, body);
    if (!res.ok && code === undefined) continue;
    const id = toHex(sha256(utf8(p.proof))).slice(0, 32);
    const next: StoredFraudProof = res.ok
      ? { ...p, status: 'submitted' }
      : { ...p, status: 'refused', code };
    await db.write([{ log: 'history', key: `fraud:${id}`, value: next }]);
    if (res.ok) taken++;
  }
  return taken;
}

/** The bank's code when the answer is a definitive refusal of the proof, else undefined. */
function refusalCode(status: number, body: string): string | undefined {
  if (!DEFINITIVE.has(status)) return undefined;
  try {
    const code = asRecord(JSON.parse(body))?.['code'];
    return typeof code === 'string' && /^(BANK|PROTO)_[A-Z0-9_]{1,60}$/.test(code)
      ? code
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The body as text, at most `limit` bytes: a longer body is cut off (and counts as unreadable).
 * @throws when the connection breaks off
 */
async function readText(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return '';
    }
    parts.push(value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return new TextDecoder().decode(all);
}

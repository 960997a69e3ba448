/**
 * The quiet refresh (src/state/fraud.ts over app-kit's trust): a revocation list is kept only
 * when the pinned bank signed it and it is newer; the bank time moves the clock guard; pending
 * fraud proofs reach the bank once.
 */
import { generateSecretKey } from '@offpay/crypto';
import { encodeRevocationList, signRevocationList } from '@offpay/protocol';
import { BankClient, lastBankTime, type RevocationsInfo } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { keepFraudProof, refreshTill, submitFraudProofs } from '../src/state/fraud.js';
import { revocationCheck } from '../src/state/till.js';
import { makeTill, NOW, type TestTill } from './helpers.js';

/** Which of `serials` the till refuses as revoked. */
async function revoked(t: TestTill, serials = [3, 5, 6, 11, 12, 42]): Promise<number[]> {
  const check = await revocationCheck(t.db, t.till);
  return serials.filter(check);
}

const proofs = (t: TestTill) => t.db.all('fraud');

function listFrom(t: TestTill, seq: number, serials: number[], key = t.bank.signSk) {
  // Issued `seq` seconds after NOW: the signed time the till keeps as its clock floor.
  return encodeRevocationList(signRevocationList({ seq, issuedAt: NOW + seq, serials }, key));
}

const noFetch: typeof fetch = () => Promise.reject(new TypeError('offline'));

const answer = (status: number, body: unknown): Response =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

/** The bank's answer to an accepted proof. */
const REPORT = {
  serial: '42',
  kind: 'fork',
  first: 'aa'.repeat(32),
  second: 'bb'.repeat(32),
  revoked: true,
};

/** The real client on `fetchImpl` (fraud proofs), answering GET /v1/revocations with `info`. */
function bankWith(info: RevocationsInfo, fetchImpl: typeof fetch = noFetch): BankClient {
  const client = new BankClient('http://bank.test', fetchImpl);
  client.revocations = () => Promise.resolve(info);
  return client;
}

describe('refreshing from the bank', () => {
  it('keeps a newer signed list, ignores an older one, and remembers its signed time', async () => {
    const t = await makeTill();
    const newer = bankWith({ seq: 5, signed: listFrom(t, 5, [11, 12]), bankTime: NOW + 10 });
    await refreshTill(t.db, newer);
    expect(await revoked(t)).toEqual([11, 12]);
    // The list's signed issuedAt (NOW + 5), not the unsigned bankTime beside it.
    expect(await lastBankTime(t.db)).toBe(NOW + 5);

    const older = bankWith({ seq: 4, signed: listFrom(t, 4, []), bankTime: NOW + 5 });
    await refreshTill(t.db, older);
    expect(await t.db.get('meta', 'revocations')).toMatchObject({ seq: 5 });
    expect(await revoked(t)).toEqual([11, 12]);
    expect(await lastBankTime(t.db)).toBe(NOW + 5);
  });

  it('refuses a list not signed by a pinned bank key and keeps the old one', async () => {
    const t = await makeTill();
    await refreshTill(t.db, bankWith({ seq: 1, signed: listFrom(t, 1, [3]), bankTime: NOW }));
    const forged = bankWith({
      seq: 9,
      signed: listFrom(t, 9, [], generateSecretKey()),
      bankTime: NOW,
    });
    await expect(refreshTill(t.db, forged)).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
    expect(await revoked(t)).toEqual([3]);
  });

  it('hands pending fraud proofs to the bank once, and keeps them while offline', async () => {
    const t = await makeTill();
    await keepFraudProof(
      t.db,
      { code: 'PROTO_FRAUD_FORK', details: { proof: 'AQID', serial: 42, kind: 'fork' } },
      NOW,
    );
    expect(await revoked(t)).toEqual([42]);
    const info = { seq: 1, signed: listFrom(t, 1, []), bankTime: NOW };

    expect((await refreshTill(t.db, bankWith(info))).proofsSubmitted).toBe(0);
    expect((await proofs(t))[0]?.status).toBe('pending');

    const bodies: string[] = [];
    const bank: typeof fetch = (_url, init) => {
      bodies.push(typeof init?.body === 'string' ? init.body : '');
      return Promise.resolve(answer(200, REPORT));
    };
    expect((await refreshTill(t.db, bankWith(info, bank))).proofsSubmitted).toBe(1);
    expect(bodies).toEqual(['{"proof":"AQID"}']);
    expect((await proofs(t))[0]?.status).toBe('submitted');
    expect((await refreshTill(t.db, bankWith(info, bank))).proofsSubmitted).toBe(0);
    expect(bodies).toHaveLength(1);
  });
});

describe('the revocation list in memory', () => {
  it('is read again whenever the stored list changes, even under the same seq', async () => {
    const t = await makeTill();
    const store = (value: unknown) => t.db.write([{ put: 'meta', key: 'revocations', value }]);
    await store({ seq: 1, signed: listFrom(t, 1, [5]) });
    expect(await revoked(t)).toEqual([5]);
    await store({ seq: 2, signed: listFrom(t, 2, [5, 6]) });
    expect(await revoked(t)).toEqual([5, 6]);
    // A damaged row under the same seq counts as no list, not as the list seen before.
    const damaged = listFrom(t, 2, [5, 6]);
    damaged[damaged.length - 1]! ^= 1;
    await store({ seq: 2, signed: damaged });
    expect(await revoked(t)).toEqual([]);
  });
});

/** An error answer of the bank (`errorBody`). */
const refusal = (code: string, message: string) => ({ code, message, details: {} });

/** Keeps one pending proof per serial in `serials`. */
async function keepProofs(t: TestTill, serials: number[]): Promise<void> {
  for (const serial of serials) {
    const proof = Buffer.from(`proof-${serial}`).toString('base64url');
    await keepFraudProof(t.db, { code: 'PROTO_FRAUD_FORK', details: { proof, serial } }, NOW);
  }
}

describe('handing fraud proofs to the bank', () => {
  it('posts under the bank address, path prefix included', async () => {
    const t = await makeTill();
    await keepProofs(t, [1]);
    const urls: string[] = [];
    const bank: typeof fetch = (url) => {
      urls.push(typeof url === 'string' ? url : url instanceof URL ? url.href : url.url);
      return Promise.resolve(answer(200, REPORT));
    };
    expect(await submitFraudProofs(t.db, new BankClient('https://bank.test/offpay/', bank))).toBe(
      1,
    );
    expect(urls).toEqual(['https://bank.test/offpay/v1/fraud-proofs']);
  });

  it('keeps a proof pending unless the bank refused the proof itself', async () => {
    const t = await makeTill();
    const answers: Record<number, () => Promise<Response>> = {
      1: () => Promise.resolve(answer(404, '<html>Not Found</html>')),
      2: () => Promise.resolve(answer(429, refusal('BANK_RATE_LIMITED', 'slow down'))),
      3: () => Promise.resolve(answer(500, refusal('BANK_INTERNAL', 'oops'))),
      4: () => Promise.resolve(answer(400, 'Bad Request')),
      5: () => Promise.resolve(answer(400, refusal('BANK_BAD_REQUEST', 'not base64'))),
      6: () => Promise.resolve(answer(422, refusal('PROTO_FRAUD_PROOF_INVALID', 'no proof'))),
    };
    await keepProofs(t, [1, 2, 3, 4, 5, 6]);
    const bank: typeof fetch = (_url, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const proof = (JSON.parse(body) as { proof: string }).proof;
      const serial = Number(Buffer.from(proof, 'base64url').toString().slice('proof-'.length));
      return answers[serial]!();
    };
    expect(await submitFraudProofs(t.db, new BankClient('http://bank.test', bank))).toBe(0);
    const bySerial = Object.fromEntries(
      (await proofs(t)).map((p) => [p.serial, [p.status, p.code]]),
    );
    expect(bySerial).toEqual({
      1: ['pending', undefined],
      2: ['pending', undefined],
      3: ['pending', undefined],
      4: ['pending', undefined],
      5: ['refused', 'BANK_BAD_REQUEST'],
      6: ['refused', 'PROTO_FRAUD_PROOF_INVALID'],
    });
  });

  it('stops at a gateway answering for a bank that is down: the rest waits for the next time', async () => {
    const t = await makeTill();
    await keepProofs(t, [7, 8]);
    let calls = 0;
    const bank: typeof fetch = () =>
      Promise.resolve(++calls === 1 ? answer(503, 'Service Unavailable') : answer(200, REPORT));
    expect(await submitFraudProofs(t.db, new BankClient('http://bank.test', bank))).toBe(0);
    expect(calls).toBe(1);
    expect((await proofs(t)).map((p) => p.status)).toEqual(['pending', 'pending']);
  });

  it('keeps every proof pending when the network fails', async () => {
    const t = await makeTill();
    await keepProofs(t, [1, 2]);
    expect(await submitFraudProofs(t.db, new BankClient('http://bank.test', noFetch))).toBe(0);
    expect((await proofs(t)).map((p) => p.status)).toEqual(['pending', 'pending']);
  });
});

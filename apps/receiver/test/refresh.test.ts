/**
 * The quiet refresh (src/state/refresh.ts, src/state/fraud.ts): a revocation list is kept only
 * when the pinned bank signed it and it is newer; the bank time moves the clock guard; pending
 * fraud proofs reach the bank once.
 */
import { generateSecretKey } from '@offpay/crypto';
import { encodeRevocationList, signRevocationList } from '@offpay/protocol';
import { lastBankTime, type BankClient, type RevocationsInfo } from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { fraudProofs, keepFraudProof } from '../src/state/fraud.js';
import { refreshFromBank } from '../src/state/refresh.js';
import { revokedSerials } from '../src/state/store.js';
import { makeTill, NOW, type TestTill } from './helpers.js';

function listFrom(t: TestTill, seq: number, serials: number[], key = t.bank.signSk) {
  return encodeRevocationList(signRevocationList({ seq, issuedAt: NOW, serials }, key));
}

function bankWith(info: RevocationsInfo): BankClient {
  return { baseUrl: 'http://bank.test', revocations: () => Promise.resolve(info) } as BankClient;
}

const noFetch: typeof fetch = () => Promise.reject(new TypeError('offline'));

describe('refreshing from the bank', () => {
  it('keeps a newer signed list, ignores an older one, and remembers the bank time', async () => {
    const t = await makeTill();
    const newer = bankWith({ seq: 5, signed: listFrom(t, 5, [11, 12]), bankTime: NOW + 10 });
    expect(await refreshFromBank(t.db, t.till, newer, noFetch)).toMatchObject({ updated: true });
    expect(await revokedSerials(t.db, t.till)).toEqual(new Set([11, 12]));
    expect(await lastBankTime(t.db)).toBe(NOW + 10);

    const older = bankWith({ seq: 4, signed: listFrom(t, 4, []), bankTime: NOW + 5 });
    expect(await refreshFromBank(t.db, t.till, older, noFetch)).toMatchObject({
      updated: false,
      seq: 5,
    });
    expect(await revokedSerials(t.db, t.till)).toEqual(new Set([11, 12]));
    expect(await lastBankTime(t.db)).toBe(NOW + 10);
  });

  it('refuses a list not signed by a pinned bank key and keeps the old one', async () => {
    const t = await makeTill();
    await refreshFromBank(
      t.db,
      t.till,
      bankWith({ seq: 1, signed: listFrom(t, 1, [3]), bankTime: NOW }),
      noFetch,
    );
    const forged = bankWith({
      seq: 9,
      signed: listFrom(t, 9, [], generateSecretKey()),
      bankTime: NOW,
    });
    await expect(refreshFromBank(t.db, t.till, forged, noFetch)).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
    expect(await revokedSerials(t.db, t.till)).toEqual(new Set([3]));
  });

  it('hands pending fraud proofs to the bank once, and keeps them while offline', async () => {
    const t = await makeTill();
    await keepFraudProof(
      t.db,
      { code: 'PROTO_FRAUD_FORK', details: { proof: 'AQID', serial: 42, kind: 'fork' } },
      NOW,
    );
    expect(await revokedSerials(t.db, t.till)).toEqual(new Set([42]));
    const info = { seq: 1, signed: listFrom(t, 1, []), bankTime: NOW };

    expect((await refreshFromBank(t.db, t.till, bankWith(info), noFetch)).proofsSubmitted).toBe(0);
    expect((await fraudProofs(t.db))[0]?.status).toBe('pending');

    const bodies: string[] = [];
    const bank: typeof fetch = (_url, init) => {
      bodies.push(typeof init?.body === 'string' ? init.body : '');
      return Promise.resolve(new Response('{"revoked":true}', { status: 200 }));
    };
    expect((await refreshFromBank(t.db, t.till, bankWith(info), bank)).proofsSubmitted).toBe(1);
    expect(bodies).toEqual(['{"proof":"AQID"}']);
    expect((await fraudProofs(t.db))[0]?.status).toBe('submitted');
    expect((await refreshFromBank(t.db, t.till, bankWith(info), bank)).proofsSubmitted).toBe(0);
    expect(bodies).toHaveLength(1);
  });
});

import { generateSecretKey, getPublicKey } from '@offpay/crypto';
import {
  decodePayeeCertificate,
  decodePayerCertificate,
  encodeCertificate,
  encodeRevocationDelta,
  encodeRevocationList,
  issuePayerCertificate,
  signRevocationDelta,
  signRevocationList,
  verifyCertificate,
  verifyRevocationList,
} from '@offpay/protocol';
import type * as Crypto from '@offpay/crypto';
import type * as Protocol from '@offpay/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lastBankTime } from '../src/clock.js';
import type { RevocationsInfo } from '../src/bank.js';
import {
  bankKeysOf,
  MAX_HELD_DELTAS,
  pinKeys,
  refreshRevocations,
  storedRevocations,
  verifiedCertificate,
} from '../src/trust.js';
import { createVault } from '../src/vault.js';
import { freshDb } from './support/schema.js';

// The real functions, watched: the memos must save calls, and only for bytes seen before.
vi.mock('@offpay/protocol', async (original) => {
  const real = await original<typeof Protocol>();
  return {
    ...real,
    verifyCertificate: vi.fn(real.verifyCertificate),
    verifyRevocationList: vi.fn(real.verifyRevocationList),
  };
});
vi.mock('@offpay/crypto', async (original) => {
  const real = await original<typeof Crypto>();
  return { ...real, getPublicKey: vi.fn(real.getPublicKey) };
});

const NOW = 1_800_000_000;
const bankSk = generateSecretKey();
const bankPk = getPublicKey(bankSk);
const keys = bankKeysOf([bankPk]);
const pinned = { signKeys: [bankPk], kemKey: getPublicKey(generateSecretKey()) };
const payerCert = (signer = bankSk) =>
  encodeCertificate(
    issuePayerCertificate(
      {
        serial: 7,
        signKey: getPublicKey(generateSecretKey()),
        currency: 'EUR',
        expiresAt: NOW,
        limit: 100,
      },
      signer,
    ),
  );
// Issued `seq` seconds after NOW: the signed time the apps keep as their clock floor.
const list = (seq: number, serials: number[], signer = bankSk) =>
  encodeRevocationList(signRevocationList({ seq, issuedAt: NOW + seq, serials }, signer));

beforeEach(() => vi.clearAllMocks());

describe('verifiedCertificate', () => {
  it('verifies given bytes once, and any other bytes, keys or kind again', () => {
    const bytes = payerCert();
    const first = verifiedCertificate(bytes, keys, decodePayerCertificate);
    expect(verifiedCertificate(bytes.slice(), keys, decodePayerCertificate)).toBe(first);
    expect(verifyCertificate).toHaveBeenCalledTimes(1);
    expect(verifiedCertificate(payerCert(), keys, decodePayerCertificate)).not.toBe(first);
    expect(() =>
      verifiedCertificate(
        bytes,
        bankKeysOf([getPublicKey(generateSecretKey())]),
        decodePayerCertificate,
      ),
    ).toThrow(expect.objectContaining({ code: 'PROTO_UNKNOWN_ISSUER' }));
    // A payer's certificate is never read back as a payee's, memo or not.
    expect(() => verifiedCertificate(bytes, keys, decodePayeeCertificate)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^PROTO_/) }),
    );
    const forged = bytes.slice();
    forged[forged.length - 1]! ^= 1;
    expect(() => verifiedCertificate(forged, keys, decodePayerCertificate)).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^PROTO_/) }),
    );
  });
});

describe('revocations', () => {
  it('keeps a newer verified list and the bank time; an older one is a replay, a foreign one refused', async () => {
    const db = await freshDb();
    await db.write([pinKeys(pinned)]);
    const answer = (seq: number, serials: number[], signer = bankSk) => ({
      // The unsigned bankTime says something else: it is never kept.
      revocations: () =>
        Promise.resolve({ seq, signed: list(seq, serials, signer), bankTime: NOW + 1000 * seq }),
    });
    expect((await refreshRevocations(db, answer(5, [7])))?.seq).toBe(5);
    expect((await refreshRevocations(db, answer(4, [])))?.seq).toBe(5);
    await expect(refreshRevocations(db, answer(9, [], generateSecretKey()))).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
    expect([...(await storedRevocations(db, keys))!.revoked]).toEqual([7]);
    expect(await lastBankTime(db)).toBe(NOW + 5);
  });

  // Regression (issue #12): the unsigned bankTime beside the list moved the clock floor — a
  // forged one far in the past lowered it (a device clock set back passed), one in the future
  // locked the app.
  it('takes the bank time only from the signed list: an unsigned bankTime never moves the floor', async () => {
    const unpinned = await freshDb();
    const forged = (bankTime: number) => ({
      revocations: () => Promise.resolve({ seq: 3, signed: list(3, []), bankTime }),
    });
    // Before enrollment there is nothing to check a time with: nothing is kept.
    await refreshRevocations(unpinned, forged(NOW + 999_999));
    expect(await lastBankTime(unpinned)).toBeUndefined();

    const db = await freshDb();
    await db.write([pinKeys(pinned)]);
    await refreshRevocations(db, forged(1));
    expect(await lastBankTime(db)).toBe(NOW + 3);
    await refreshRevocations(db, forged(NOW + 999_999));
    expect(await lastBankTime(db)).toBe(NOW + 3);
    // A replayed older list (signed, but earlier) never lowers it either.
    await refreshRevocations(db, {
      revocations: () => Promise.resolve({ seq: 1, signed: list(1, []), bankTime: 0 }),
    });
    expect(await lastBankTime(db)).toBe(NOW + 3);
  });

  it('decodes a stored list once; other bytes under the same seq are verified again', async () => {
    const db = await freshDb();
    await db.write([{ put: 'meta', key: 'revocations', value: { seq: 2, signed: list(2, [7]) } }]);
    const first = await storedRevocations(db, keys);
    expect(await storedRevocations(db, keys)).toBe(first);
    expect(verifyRevocationList).toHaveBeenCalledTimes(1);
    const forged = { seq: 2, signed: list(2, [], generateSecretKey()) };
    await db.write([{ put: 'meta', key: 'revocations', value: forged }]);
    expect(await storedRevocations(db, keys)).toBeUndefined();
  });

  it('keeps only keys it can read back', () => {
    const many = { signKeys: Array.from({ length: 257 }, () => bankPk), kemKey: pinned.kemKey };
    expect(() => pinKeys(many)).toThrow(expect.objectContaining({ code: 'APP_BANK_RESPONSE' }));
  });
});

// A delta from list `from` to list `to`, issued `to` seconds after NOW like the lists above.
const delta = (from: number, to: number, added: number[], removed: number[], signer = bankSk) =>
  encodeRevocationDelta(
    signRevocationDelta({ fromSeq: from, toSeq: to, issuedAt: NOW + to, added, removed }, signer),
  );
const asList = (seq: number, serials: number[]): RevocationsInfo => ({
  kind: 'list',
  seq,
  signed: list(seq, serials),
  bankTime: 0,
});
const asDelta = (signed: Uint8Array, from: number, to: number): RevocationsInfo => ({
  kind: 'delta',
  fromSeq: from,
  toSeq: to,
  signed,
  bankTime: 0,
});

/** A bank answering from `answers` in turn, recording the `since` of each call. */
function scripted(...answers: RevocationsInfo[]) {
  const asked: (number | undefined)[] = [];
  return {
    asked,
    revocations: (since?: number) => {
      asked.push(since);
      const next = answers.shift();
      return next ? Promise.resolve(next) : Promise.reject(new Error('no more answers'));
    },
  };
}

describe('revocation deltas (docs/protocol.md §11.1)', () => {
  async function holding(seq: number, serials: number[]) {
    const db = await freshDb();
    await db.write([pinKeys(pinned)]);
    await refreshRevocations(db, scripted(asList(seq, serials)));
    return db;
  }

  it('asks for the delta since the list held and applies it: list N + delta = list N+k', async () => {
    const db = await holding(5, [3, 7]);
    const bank = scripted(asDelta(delta(5, 8, [9, 11], [3]), 5, 8));
    expect(await refreshRevocations(db, bank)).toMatchObject({ seq: 8, deltas: 1 });
    expect(bank.asked).toEqual([5]);
    expect([...(await storedRevocations(db, keys))!.revoked].sort((a, b) => a - b)).toEqual([
      7, 9, 11,
    ]);
    expect(await lastBankTime(db)).toBe(NOW + 8);
    // The next refresh starts from 8; an empty delta changes nothing.
    const again = scripted(asDelta(delta(8, 8, [], []), 8, 8));
    expect(await refreshRevocations(db, again)).toMatchObject({ seq: 8 });
    expect(again.asked).toEqual([8]);
  });

  it('takes the full list when the delta starts from another list', async () => {
    const db = await holding(5, [3]);
    const bank = scripted(asDelta(delta(4, 6, [9], []), 4, 6), asList(6, [3, 9, 10]));
    expect(await refreshRevocations(db, bank)).toMatchObject({ seq: 6, deltas: 0 });
    expect(bank.asked).toEqual([5, undefined]);
    expect([...(await storedRevocations(db, keys))!.revoked]).toEqual([3, 9, 10]);
  });

  it('refuses a tampered or foreign delta and keeps the list held', async () => {
    const db = await holding(5, [3]);
    const tampered = delta(5, 6, [9], []);
    tampered[tampered.length - 1]! ^= 1;
    await expect(refreshRevocations(db, scripted(asDelta(tampered, 5, 6)))).rejects.toMatchObject({
      code: 'PROTO_SIGNATURE_INVALID',
    });
    const foreign = delta(5, 6, [9], [], generateSecretKey());
    await expect(refreshRevocations(db, scripted(asDelta(foreign, 5, 6)))).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
    expect(await storedRevocations(db, keys)).toMatchObject({ seq: 5, deltas: 0 });
  });

  it(`keeps at most ${MAX_HELD_DELTAS} deltas, then asks for the full list again`, async () => {
    const db = await holding(0, []);
    for (let i = 0; i < MAX_HELD_DELTAS; i++)
      await refreshRevocations(db, scripted(asDelta(delta(i, i + 1, [i + 1], []), i, i + 1)));
    const held = await storedRevocations(db, keys);
    expect(held).toMatchObject({ seq: MAX_HELD_DELTAS, deltas: MAX_HELD_DELTAS });
    expect(held!.revoked.size).toBe(MAX_HELD_DELTAS);
    const bank = scripted(asList(MAX_HELD_DELTAS + 1, [1, 2]));
    expect(await refreshRevocations(db, bank)).toMatchObject({ deltas: 0 });
    expect(bank.asked).toEqual([undefined]);
  });

  it('counts a stored row whose deltas do not chain or verify as none', async () => {
    const db = await freshDb();
    const put = (value: unknown) => db.write([{ put: 'meta', key: 'revocations', value }]);
    await put({ seq: 6, signed: list(5, [3]), deltas: [delta(5, 6, [9], [])] });
    expect(await storedRevocations(db, keys)).toMatchObject({ seq: 6, deltas: 1 });
    await put({ seq: 7, signed: list(5, [3]), deltas: [delta(6, 7, [9], [])] });
    expect(await storedRevocations(db, keys)).toBeUndefined();
    await put({
      seq: 6,
      signed: list(5, [3]),
      deltas: [delta(5, 6, [9], [], generateSecretKey())],
    });
    expect(await storedRevocations(db, keys)).toBeUndefined();
    await put({ seq: 6, signed: list(5, [3]), deltas: ['not bytes'] });
    expect(await storedRevocations(db, keys)).toBeUndefined();
  });
});

describe('vault.publicKey', () => {
  it('multiplies once per secret while unlocked, and follows a replaced secret', async () => {
    const db = await freshDb();
    const a = generateSecretKey();
    const b = generateSecretKey();
    const expected = { a: getPublicKey(a), b: getPublicKey(b) };
    const vault = await createVault(db, 'correct horse battery', { k: a }, { iterations: 1000 });
    vi.mocked(getPublicKey).mockClear();
    expect(vault.publicKey('k')).toEqual(expected.a);
    expect(vault.publicKey('k')).toEqual(expected.a);
    expect(getPublicKey).toHaveBeenCalledTimes(1);
    await vault.replace({ k: b });
    expect(vault.publicKey('k')).toEqual(expected.b);
    expect(vault.publicKey('none')).toBeUndefined();
    vault.lock();
    expect(() => vault.publicKey('k')).toThrow(
      expect.objectContaining({ code: 'APP_VAULT_LOCKED' }),
    );
  });
});

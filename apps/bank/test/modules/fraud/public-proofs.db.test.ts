/**
 * Stored fraud proofs are public (issue #10 item 7; docs/protocol.md §8): anyone fetches them by
 * payer serial or by id, without a login, and checks them with @offpay/protocol's own
 * verifyFraudProof under the bank key; a settlement entry rejected with a fraud code names the
 * proof it rests on. Reads are bounded and rate-limited per address.
 */
import { FRAUD_PROOFS_MAX, storedFraudProof } from '@offpay/api';
import { fromBase64Url, fromHex, toHex } from '@offpay/crypto';
import { bankKeySet, verifyFraudProof, type Payment } from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildTestApp } from '../../helpers/app.js';
import { useWorld, type PayeeDevice, type PayerDevice } from '../../helpers/world.js';
import { craft as kitCraft } from '../settlement/attack-kit.js';

const world = useWorld({ invariants: true });

const craft = (
  payer: PayerDevice,
  payee: PayeeDevice,
  fields: Partial<Payment> & { amount: number },
) => kitCraft(world, payer, payee, fields);

/** A payer who equivocates on counter 1 beyond its reserve: B's entry is rejected with the proof. */
async function cheat() {
  const payer = await world.payer(10_000n, 10_000n);
  const a = await world.payee('Shop A');
  const b = await world.payee('Shop B');
  const toA = world.pay(payer, a, 8000);
  const toB = craft(payer, b, { amount: 8000 });
  await world.settleEntries(a, [toA]);
  const res = await world.settle((await world.batch(b, [toB])).sealed);
  expect(res.statusCode, res.body).toBe(200);
  return { payer, toA, toB, res };
}

describe('a rejected entry names its proof, and the proof is public', () => {
  it('GET the path the entry names, without login, and verify it with the bank key', async () => {
    const { payer, toA, toB, res } = await cheat();
    const [entry] = res.json<{ results: { code: string; details?: Record<string, string> }[] }>()
      .results;
    expect(entry).toMatchObject({
      status: 'rejected',
      code: 'PROTO_FRAUD_EQUIVOCATION',
      details: { fraudProofId: expect.stringMatching(/^[1-9][0-9]*$/) },
    });
    const path = entry!.details!['fraudProofPath']!;
    expect(path).toBe(`/v1/fraud-proofs/${entry!.details!['fraudProofId']}`);

    const got = await world.app.inject({ method: 'GET', url: path });
    expect(got.statusCode, got.body).toBe(200);
    const stored = storedFraudProof.parse(got.json());
    expect(stored).toMatchObject({ serial: String(payer.cert.serial), kind: 'equivocation' });
    expect([stored.first, stored.second].sort()).toEqual(
      [toHex(toA.paymentId), toHex(toB.paymentId)].sort(),
    );

    // A client checks it with the protocol's own function, under the bank key it pinned.
    const pinned = (await world.app.inject('/v1/keys')).json<{
      signKeys: { kid: string; publicKey: string }[];
    }>().signKeys;
    const issuer = pinned.find((k) => k.kid === stored.issuerKid);
    expect(issuer?.publicKey).toBe(stored.issuerPublicKey);
    const proof = verifyFraudProof(
      fromBase64Url(stored.proof),
      bankKeySet([fromHex(issuer!.publicKey)]),
    );
    expect(proof.kind).toBe('equivocation');
    expect(proof.first.serial).toBe(payer.cert.serial);
    // Under another key it does not verify: the answer alone proves nothing, the bank key does.
    expect(() =>
      verifyFraudProof(fromBase64Url(stored.proof), bankKeySet([fromHex(`02${'11'.repeat(32)}`)])),
    ).toThrow();

    // The stored result, fetched again, names the same proof.
    const batchKey = res.json<{ batchKey: string }>().batchKey;
    const again = await world.app.inject(`/v1/settlements/${batchKey}`);
    expect(again.json<{ results: unknown[] }>().results[0]).toMatchObject({
      details: entry!.details,
    });
  });

  it('GET /v1/fraud-proofs?payerSerial= lists the proofs against a serial; none is an empty list', async () => {
    const { payer } = await cheat();
    const res = await world.app.inject(`/v1/fraud-proofs?payerSerial=${payer.cert.serial}`);
    expect(res.statusCode, res.body).toBe(200);
    const { proofs } = z.object({ proofs: z.array(storedFraudProof) }).parse(res.json());
    expect(proofs).toHaveLength(1);
    expect(proofs[0]).toMatchObject({
      serial: String(payer.cert.serial),
      path: `/v1/fraud-proofs/${proofs[0]!.id}`,
    });
    const honest = await world.payer(1_000n);
    const none = await world.app.inject(`/v1/fraud-proofs?payerSerial=${honest.cert.serial}`);
    expect(none.json()).toEqual({ proofs: [] });
    expect(FRAUD_PROOFS_MAX).toBe(100);
  });

  it('settled and honestly rejected entries carry no details', async () => {
    const payer = await world.payer(1_000n);
    const payee = await world.payee();
    const res = await world.settle(
      (await world.batch(payee, [world.pay(payer, payee, 10)])).sealed,
    );
    expect(res.json<{ results: object[] }>().results[0]).not.toHaveProperty('details');
  });
});

describe('bounds', () => {
  it.each([
    ['an unknown id', '/v1/fraud-proofs/999999999', 404, 'BANK_FRAUD_PROOF_NOT_FOUND'],
    ['an id past 2^63 − 1', '/v1/fraud-proofs/9223372036854775808', 400, 'BANK_BAD_REQUEST'],
    ['a non-numeric id', '/v1/fraud-proofs/abc', 400, 'BANK_BAD_REQUEST'],
    ['no serial', '/v1/fraud-proofs', 400, 'BANK_BAD_REQUEST'],
    [
      'a serial past 2^53 − 1',
      '/v1/fraud-proofs?payerSerial=9007199254740992',
      400,
      'BANK_BAD_REQUEST',
    ],
  ])('%s: %s', async (_, url, status, code) => {
    const res = await world.app.inject(url);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ code });
  });

  it('reads are rate-limited per address: 429 BANK_RATE_LIMITED past the limit', async () => {
    const app = await buildTestApp({
      db: world.db,
      config: {
        rateLimits: {
          windowSeconds: 60,
          login: 100,
          enrollment: 100,
          settlement: 100,
          fraudProofs: 3,
        },
      },
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push((await app.inject('/v1/fraud-proofs/1')).statusCode);
      expect(codes.slice(0, 3)).not.toContain(429);
      expect(codes[3]).toBe(429);
    } finally {
      await app.close();
    }
  });
});

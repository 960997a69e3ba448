/** POST /v1/fraud-proofs: a proof a receiver caught offline reaches the bank and revokes the payer. */
import { fromBase64Url, fromHex, randomBytes, toBase64Url } from '@offpay/crypto';
import {
  bankKeySet,
  encodeCbor,
  encodeFraudProof,
  makeFraudProof,
  paymentValue,
  verifyRevocationList,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { useWorld } from '../../helpers/world.js';

const world = useWorld();

async function report(proof: string) {
  return world.app.inject({ method: 'POST', url: '/v1/fraud-proofs', payload: { proof } });
}

describe('POST /v1/fraud-proofs', () => {
  it('checks a proof under the bank key, stores it once and revokes the certificate', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('A');
    const b = await world.payee('B');
    const start = { ...payer.chain };
    const first = world.pay(payer, a, 100);
    payer.chain = start;
    const second = world.pay(payer, b, 200);
    const proof = toBase64Url(encodeFraudProof(makeFraudProof(first, second)));

    const res = await report(proof);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      serial: String(payer.cert.serial),
      kind: 'equivocation',
      revoked: true,
    });
    expect((await report(proof)).statusCode).toBe(200);
    const [row] = await world.db.query<{ n: bigint }>(
      'SELECT count(*) AS n FROM fraud_proofs WHERE serial = $1',
      [payer.cert.serial],
    );
    expect(row?.n).toBe(1n);

    const keys = (await world.app.inject({ method: 'GET', url: '/v1/keys' })).json<{
      signKeys: { publicKey: string }[];
    }>();
    const list = (await world.app.inject({ method: 'GET', url: '/v1/revocations' })).json<{
      signed: string;
    }>();
    const verified = verifyRevocationList(
      fromBase64Url(list.signed),
      bankKeySet(keys.signKeys.map((k) => fromHex(k.publicKey))),
    );
    expect(verified.serials).toContain(payer.cert.serial);
  });

  it('refuses what is not a proof with its protocol code, and garbage with a clear 400', async () => {
    const payer = await world.payer(10_000n);
    const a = await world.payee('C');
    const p1 = world.pay(payer, a, 100);
    const p2 = world.pay(payer, a, 100);
    // Two consistent payments of one honest chain prove nothing.
    const consistent = await report(
      toBase64Url(encodeCbor([1, paymentValue(p1), paymentValue(p2)])),
    );
    expect(consistent.statusCode).toBe(400);
    expect(consistent.json()).toMatchObject({ code: 'PROTO_FRAUD_PROOF_INVALID' });
    const [revoked] = await world.db.query<{ status: string }>(
      'SELECT status FROM payer_certificates WHERE serial = $1',
      [payer.cert.serial],
    );
    expect(revoked?.status).toBe('active');
    const junk = await report(toBase64Url(randomBytes(50)));
    expect(junk.statusCode).toBe(400);
    expect(junk.json<{ code: string }>().code).toMatch(/^PROTO_/);
    const notB64 = await report('***');
    expect(notB64.statusCode).toBe(400);
  });
});

/**
 * Key rotation across instances (issue #12 item 4): a rotation on instance 1 reaches instance 2
 * at once over pub/sub; and when the message is lost (Redis down), instance 2 loads the new key
 * from the database the first time it meets its kid — a payment under a certificate of the new
 * key settles on the instance that was not told, and no rejection of it is ever stored. Runs on a
 * redis-server of its own.
 */
import { fromBase64Url, toBase64Url, toHex } from '@offpay/crypto';
import {
  bankKeySet,
  decodeSettlementResult,
  encodeFraudProof,
  makeFraudProof,
  verifySettlementResult,
} from '@offpay/protocol';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolAnnouncer } from '../../src/modules/keys/keys.signer.js';
import type { BankKeyKind } from '../../src/modules/keys/keys.domain.js';
import { assertLedgerInvariants } from '../helpers/ledger.js';
import { cluster, eventually, PrivateRedis, type Cluster } from './helpers.js';

let redis: PrivateRedis;
let c: Cluster;
beforeAll(async () => {
  redis = await PrivateRedis.start();
  c = await cluster({}, redis.url);
});
afterAll(async () => {
  await c?.close();
  await redis?.stop();
});

async function rotateOnOne(kind: BankKeyKind): Promise<string> {
  const { keyring } = c.one.services;
  const next = await keyring.rotate(
    kind,
    protocolAnnouncer(keyring, () => c.world.clock),
  );
  return toHex(next.kid);
}

const currentKid = (app: FastifyInstance, kind: BankKeyKind) =>
  toHex(app.services.keyring.current(kind).kid);

/** A payment under a payer certificate issued (by instance 1) after the rotation, settled on 2. */
async function settleNewCertificateOnTwo(signKid: string, redisDown: boolean) {
  const payer = await c.world.payer(10_000n);
  expect(toHex(payer.cert.issuerKid)).toBe(signKid);
  const payee = await c.world.payee();
  c.world.pay(payer, payee, 700);
  const { sealed } = await c.world.batch(payee);
  if (redisDown) await redis.stop();
  const res = await c.world.settle(sealed, {}, c.two);
  expect(res.statusCode, res.body).toBe(200);
  const result = decodeSettlementResult(fromBase64Url(res.json<{ signed: string }>().signed));
  expect(result.results.map((r) => r.status)).toEqual(['settled']);
  // Signed by the new key: instance 2 signs with what the database says is current.
  expect(toHex(result.bankKid)).toBe(signKid);
  const signKeys = (await c.world.pinnedKeys()).values();
  expect(() => verifySettlementResult(result, bankKeySet(signKeys))).not.toThrow();
  // No rejection was stored: every payment row of this batch is settled.
  const rejected = await c.world.db.query("SELECT code FROM payments WHERE status <> 'settled'");
  expect(rejected).toEqual([]);
}

describe('a key rotation on one instance', () => {
  it('reaches the other instance over pub/sub: it signs with the new key at once', async () => {
    const signKid = await rotateOnOne('sign');
    await eventually(
      () => Promise.resolve(currentKid(c.two, 'sign') === signKid),
      'instance 2 follows the rotation',
    );
    const kemKid = await rotateOnOne('kem');
    await eventually(
      () => Promise.resolve(currentKid(c.two, 'kem') === kemKid),
      'instance 2 follows the KEM rotation',
    );
    await settleNewCertificateOnTwo(signKid, false);
  });

  it('is found in the database when the message is lost (Redis down): nothing is refused or stored as refused', async () => {
    // A signing-key rotation alone: the batch is sealed to a KEM key instance 2 already holds,
    // so only the certificate's issuer kid can tell it that its keys are stale.
    await redis.stop();
    const signKid = await rotateOnOne('sign');
    await redis.start();
    await eventually(async () => c.two.kv.ping(), 'Redis is back for instance 2');
    expect(currentKid(c.two, 'sign')).not.toBe(signKid);
    await settleNewCertificateOnTwo(signKid, true);
    await redis.start();
    await eventually(async () => c.two.kv.ping(), 'Redis is back for instance 2');
    // A KEM rotation missed too: the batch sealed to the new KEM key opens on instance 2.
    await redis.stop();
    const kemKid = await rotateOnOne('kem');
    await redis.start();
    await eventually(async () => c.two.kv.ping(), 'Redis is back for instance 2');
    expect(currentKid(c.two, 'kem')).not.toBe(kemKid);
    await settleNewCertificateOnTwo(signKid, true);
    expect(currentKid(c.two, 'kem')).toBe(kemKid);
    await assertLedgerInvariants(c.world.db);
    await redis.start();
  });

  it('takes a fraud proof and serves the revocation list under a key the instance missed', async () => {
    const missed = async () => {
      await redis.stop();
      const kid = await rotateOnOne('sign');
      await redis.start();
      await eventually(async () => c.two.kv.ping(), 'Redis is back for instance 2');
      expect(currentKid(c.two, 'sign')).not.toBe(kid);
      return kid;
    };
    const equivocation = async () => {
      const payer = await c.world.payer(10_000n);
      const [a, b] = [await c.world.payee('A'), await c.world.payee('B')];
      const start = { ...payer.chain };
      const first = c.world.pay(payer, a, 100);
      payer.chain = start;
      const proof = makeFraudProof(first, c.world.pay(payer, b, 200));
      return { serial: payer.cert.serial, proof: toBase64Url(encodeFraudProof(proof)) };
    };
    const report = (app: FastifyInstance, proof: string) =>
      app.inject({ method: 'POST', url: '/v1/fraud-proofs', payload: { proof } });

    await missed();
    const byOne = await equivocation();
    expect((await report(c.one, byOne.proof)).statusCode).toBe(200);
    const list = await c.two.inject({ method: 'GET', url: '/v1/revocations' });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ serials: string[] }>().serials).toContain(String(byOne.serial));

    await missed();
    const byTwo = await equivocation();
    const res = await report(c.two, byTwo.proof);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ serial: String(byTwo.serial), revoked: true });
  });

  it('is found by the periodic check of the current keys, with no kid to meet', async () => {
    await redis.stop();
    const signKid = await rotateOnOne('sign');
    await redis.start();
    const { keyring } = c.two.services;
    expect(currentKid(c.two, 'sign')).not.toBe(signKid);
    expect(await keyring.refresh()).toBe(true);
    expect(currentKid(c.two, 'sign')).toBe(signKid);
    expect(await keyring.refresh()).toBe(false);
  });
});

/**
 * Settlement through the worker-thread verifier (issue #5 "Speed") against real Postgres: a batch
 * above the pool's threshold is checked on the workers with the in-thread answer (a forged entry
 * rejected, the rest settled), and closing the app stops the workers.
 */
import { generateSecretKey, malleate } from '@offpay/crypto';
import {
  certificateValue,
  decodeSettlementBatch,
  encodeSettlementBatch,
  paymentValue,
  sealSettlementBatch,
  signSettlementBatch,
  type CborValue,
} from '@offpay/protocol';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { trustedSignKeys } from '../../../../src/modules/keys/keys.signer.js';
import { buildTestApp } from '../../../helpers/app.js';
import { rawBatch } from '../../../helpers/batches.js';
import { craftPayment, useWorld, type PayeeDevice } from '../../../helpers/world.js';

const world = useWorld({ config: { verifyPool: { workers: 2, minEntries: 4 } } });

async function verifyCount(path: string): Promise<number> {
  const res = await world.app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body
    .split('\n')
    .find((l) => l.startsWith(`offpay_settlement_verify_seconds_count{path="${path}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('settlement with the verify pool', () => {
  it('checks a large batch on the workers and gives the in-thread answer', async () => {
    await world.app.verifyPool.ready();
    const payer = await world.payer(100_000n);
    const payee = await world.payee();
    const honest = Array.from({ length: 5 }, (_, i) => world.pay(payer, payee, 100 + i));
    const forged = craftPayment(
      payer,
      { amount: 50, counter: 6, spent: 560, payeeKid: payee.kid, createdAt: world.now },
      generateSecretKey(),
    );
    const before = await verifyCount('pool');
    const results = await world.settleEntries(payee, [...honest, forged]);
    expect(results.map((r) => [r.status, r.code])).toEqual([
      ...honest.map(() => ['settled', '']),
      ['rejected', 'PROTO_SIGNATURE_INVALID'],
    ]);
    expect(await verifyCount('pool')).toBe(before + 1);
  });

  it('settles a mixed batch on the workers exactly as the in-thread bank settles its twin', async () => {
    await world.app.verifyPool.ready();
    const inThread = await buildTestApp({
      db: world.schema!.open(),
      now: () => world.clock,
      config: { verifyPool: { workers: 0, minEntries: 4 } },
    });
    try {
      const kem = await world.bankKemKey();
      // The same shape of batch for two payees: honest entries, a forged payer signature, a
      // high-S twin of an honest signature, an entry that does not decode (a payee certificate
      // as its payer certificate), one more honest entry after them.
      const settleMixed = async (app: FastifyInstance) => {
        const payer = await world.payer(100_000n);
        const payee: PayeeDevice = await world.payee();
        const honest = Array.from({ length: 5 }, (_, i) => world.pay(payer, payee, 100 + i));
        const highS = world.pay(payer, payee, 7);
        const odd = world.pay(payer, payee, 8);
        const forged = craftPayment(
          payer,
          {
            amount: 50,
            counter: 8,
            spent: 50 + 510 + 15,
            payeeKid: payee.kid,
            createdAt: world.now,
          },
          generateSecretKey(),
        );
        const last = world.pay(payer, payee, 9);
        const entries: CborValue[] = [
          ...honest.map(paymentValue),
          [highS.tbs, malleate(highS.signature), certificateValue(highS.payerCert)],
          [odd.tbs, odd.signature, certificateValue(payee.cert)],
          paymentValue(forged),
          paymentValue(last),
        ];
        const batch = rawBatch({
          payeeKid: payee.kid,
          from: payee.settled,
          entries,
          signer: payee.secretKey,
        });
        const res = await world.settle(sealSettlementBatch(batch.bytes, kem), undefined, app);
        expect(res.statusCode, res.body).toBe(200);
        return res.json<{ results: { index: number; status: string; code: string }[] }>().results;
      };
      const before = await verifyCount('pool');
      const pooled = await settleMixed(world.app);
      expect(await verifyCount('pool')).toBe(before + 1);
      const threaded = await settleMixed(inThread);
      const view = (rs: typeof pooled) => rs.map((r) => [r.index, r.status, r.code]);
      expect(view(pooled)).toEqual(view(threaded));
      expect(pooled.map((r) => r.code)).toEqual([
        ...['', '', '', '', '', ''],
        'PROTO_CERT_WRONG_TYPE',
        'PROTO_SIGNATURE_INVALID',
        '',
      ]);
    } finally {
      await inThread.close();
    }
  });

  it('stops its workers when the app closes: later checks run in-thread', async () => {
    const other = await buildTestApp({
      db: world.schema!.open(),
      now: () => world.clock,
      config: { verifyPool: { workers: 2, minEntries: 1 } },
    });
    const pool = other.verifyPool;
    await pool.ready();
    await other.close();
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const payments = Array.from({ length: 4 }, () => world.pay(payer, payee, 10));
    const batch = decodeSettlementBatch(
      encodeSettlementBatch(
        signSettlementBatch(
          { payeeKid: payee.kid, from: payee.settled, payments },
          payee.secretKey,
        ),
      ),
    );
    const threadChecks = async () =>
      (await other.metrics.verifySeconds.get()).values.find(
        (v) => v.metricName?.endsWith('_count') && v.labels.path === 'thread',
      )?.value ?? 0;
    const before = await threadChecks();
    // The closed pool answers in-thread rather than waiting on stopped workers.
    const entries = await pool.verifyEntries(batch, trustedSignKeys(world.app.services.keyring));
    expect(entries.map((e) => e.signatureCode)).toEqual([null, null, null, null]);
    expect(await threadChecks()).toBe(before + 1);
  });
});

/**
 * Settlement through the worker-thread verifier (issue #5 "Speed") against real Postgres: a batch
 * above the pool's threshold is checked on the workers with the in-thread answer (a forged entry
 * rejected, the rest settled), and closing the app stops the workers.
 */
import { generateSecretKey } from '@offpay/crypto';
import {
  decodeSettlementBatch,
  encodeSettlementBatch,
  signSettlementBatch,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { trustedSignKeys } from '../../../../src/modules/keys/keys.signer.js';
import { buildTestApp } from '../../../helpers/app.js';
import { craftPayment, useWorld } from '../../../helpers/world.js';

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

/**
 * Operations (issue #5 part 3) against real Postgres: GET /metrics exposes the settlement,
 * refusal, verify, rate-limit, Redis and fraud metrics and they move with settlements; a burst of
 * bad signatures from one address is logged once per window (and not below the threshold); every
 * fraud proof is counted and logged at warn with public data only.
 */
import { generateSecretKey, toHex } from '@offpay/crypto';
import {
  encodePayment,
  encodeSettlementBatch,
  sealSettlementBatch,
  signSettlementBatch,
  type Payment,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { LogCapture } from '../helpers/app.js';
import { craftPayment, type PayeeDevice, useWorld } from '../helpers/world.js';

const logs = new LogCapture();
const world = useWorld({ logs });

/** The value of one sample of the /metrics text (0 when absent). */
async function sample(name: string, labels = ''): Promise<number> {
  const res = await world.app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Warn lines carrying an `alert` field. */
function alerts(kind: string): Record<string, unknown>[] {
  return logs.lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.level === 40 && l.alert === kind);
}

/** A batch of the payee's next entries signed by the wrong key: refused PROTO_SIGNATURE_INVALID. */
async function forgedBatch(payee: PayeeDevice, payments: Payment[]): Promise<Uint8Array> {
  const batch = signSettlementBatch(
    { payeeKid: payee.kid, from: payee.settled, payments },
    generateSecretKey(),
  );
  return sealSettlementBatch(encodeSettlementBatch(batch), await world.bankKemKey());
}

const from = (ip: string, sealed: Uint8Array) =>
  world.app.inject({
    method: 'POST',
    url: '/v1/settlements',
    remoteAddress: ip,
    headers: { 'content-type': 'application/cbor' },
    payload: Buffer.from(sealed),
  });

describe('GET /metrics', () => {
  it('serves the Prometheus text format, outside the public OpenAPI document', async () => {
    const res = await world.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(world.app.metrics.registry.contentType);
    for (const name of [
      'offpay_settlement_entries_total',
      'offpay_settlement_batches_refused_total',
      'offpay_settlement_phase_seconds',
      'offpay_settlement_verify_seconds',
      'offpay_rate_limited_total',
      'offpay_redis_failures_total',
      'offpay_fraud_proofs_total',
    ])
      expect(res.body).toContain(`# TYPE ${name} `);
    const docs = await world.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.json<{ paths: Record<string, unknown> }>().paths).not.toHaveProperty('/metrics');
  });

  it('counts settled entries, batches, phases, verify durations and refusals by code', async () => {
    const settled = () =>
      sample('offpay_settlement_entries_total', '{status="settled",code="none"}');
    const refused = () =>
      sample('offpay_settlement_batches_refused_total', '{code="PROTO_SIGNATURE_INVALID"}');
    const verified = () => sample('offpay_settlement_phase_seconds_count', '{phase="verify"}');
    const inThread = () => sample('offpay_settlement_verify_seconds_count', '{path="thread"}');
    const before = [await settled(), await refused(), await verified(), await inThread()];

    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const payments = [world.pay(payer, payee, 100), world.pay(payer, payee, 200)];
    expect((await world.settle(await forgedBatch(payee, payments))).statusCode).toBe(400);
    await world.settleEntries(payee, payments);

    const after = [await settled(), await refused(), await verified(), await inThread()];
    expect(after).toEqual([before[0]! + 2, before[1]! + 1, before[2]! + 1, before[3]! + 1]);
    expect(await sample('offpay_settlement_batches_total', '{replayed="false"}')).toBeGreaterThan(
      0,
    );
  });
});

describe('the bad-signature burst alert', () => {
  it('logs one warn line per address and window at 5 refusals, none below', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const sealed = await forgedBatch(payee, [world.pay(payer, payee, 100)]);
    for (let i = 0; i < 4; i++) expect((await from('203.0.113.7', sealed)).statusCode).toBe(400);
    expect((await from('198.51.100.9', sealed)).statusCode).toBe(400);
    expect(alerts('bad-signature-burst')).toEqual([]);

    await from('203.0.113.7', sealed);
    await from('203.0.113.7', sealed);
    const lines = alerts('bad-signature-burst');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ ip: '203.0.113.7', count: 5, windowSeconds: 60 });

    // A new window: another burst is another line.
    world.clock = new Date(world.clock.getTime() + 61_000);
    for (let i = 0; i < 5; i++) await from('203.0.113.7', sealed);
    expect(alerts('bad-signature-burst')).toHaveLength(2);
  });

  it('counts entries rejected for a bad payer signature towards the same alert', async () => {
    const payer = await world.payer(10_000n);
    const payee = await world.payee();
    const forged = Array.from({ length: 5 }, (_, i) =>
      craftPayment(
        payer,
        {
          amount: 10,
          counter: i + 1,
          spent: 10 * (i + 1),
          payeeKid: payee.kid,
          createdAt: world.now,
        },
        generateSecretKey(),
      ),
    );
    const before = alerts('bad-signature-burst').length;
    const res = await from('192.0.2.44', (await world.batch(payee, forged)).sealed);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ results: { code: string }[] }>().results.map((r) => r.code)).toEqual(
      Array(5).fill('PROTO_SIGNATURE_INVALID'),
    );
    const lines = alerts('bad-signature-burst');
    expect(lines).toHaveLength(before + 1);
    expect(lines.at(-1)).toMatchObject({ ip: '192.0.2.44', count: 5 });
    // An address and a count: nothing of the payments themselves.
    expect(JSON.stringify(lines.at(-1))).not.toContain(toHex(forged[0]!.paymentId));
  });
});

describe('fraud proofs', () => {
  it('are counted by kind and logged at warn with serial, kind and payment ids only', async () => {
    const fraudCount = () => sample('offpay_fraud_proofs_total', '{kind="equivocation"}');
    const before = await fraudCount();
    const payer = await world.payer(10_000n, 20_000n);
    const [a, b] = [await world.payee(), await world.payee()];
    const honest = world.pay(payer, a, 3000);
    await world.settleEntries(a, [honest]);
    const twin = craftPayment(payer, { amount: 2000, payeeKid: b.kid, createdAt: world.now });
    await world.settleEntries(b, [twin]);

    expect(await fraudCount()).toBe(before + 1);
    const lines = alerts('fraud-proof').filter((l) => l.serial === payer.cert.serial);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ kind: 'equivocation' });
    expect([...(lines[0]!.paymentIds as string[])].sort()).toEqual(
      [toHex(honest.paymentId), toHex(twin.paymentId)].sort(),
    );
    const text = JSON.stringify(lines[0]);
    for (const p of [honest, twin])
      expect(text).not.toContain(toHex(encodePayment(p)).slice(0, 64));
  });
});

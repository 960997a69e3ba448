/**
 * Merchant webhooks (issue #13 item 6, docs/webhooks.md) against real Postgres and a real HTTP
 * receiver on loopback: registering (https only, the secret answered once and stored sealed),
 * events written in the money movement's own transaction (a rolled-back batch writes none),
 * signed deliveries a receiver verifies as the docs say, retries after failures, the merchant's
 * own log and the operators' audited log.
 */
import { randomUUID } from 'node:crypto';
import { toHex } from '@offpay/crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { FAST_WEBHOOKS, Receiver, verifyOffpaySignature } from '../../helpers/webhooks.js';
import { auth, useWorld, type PayeeDevice, type User } from '../../helpers/world.js';
import { eventually } from '../../redis/helpers.js';

const world = useWorld({ config: { webhooks: FAST_WEBHOOKS } });
const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(script: number[] = []): Promise<Receiver> {
  const r = await Receiver.start(script);
  receivers.push(r);
  return r;
}

interface Registered {
  endpoint: { id: string; url: string; events: string[]; enabled: boolean };
  secret: string;
}

async function register(user: User, url: string, events?: string[]): Promise<Registered> {
  const res = await world.post('/v1/webhooks', { url, ...(events ? { events } : {}) }, user);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Registered>();
}

interface DeliveryDb {
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  payload: Record<string, unknown>;
}

function deliveriesOf(endpointId: string): Promise<DeliveryDb[]> {
  return world.db.query<DeliveryDb>(
    `SELECT event_id, event_type, status, attempts, last_status_code, payload
     FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq`,
    [endpointId],
  );
}

async function settleOne(payee: PayeeDevice, amount: number) {
  const payer = await world.payer(10_000n);
  const payment = world.pay(payer, payee, amount);
  const res = await world.settle((await world.batch(payee)).sealed);
  expect(res.statusCode, res.body).toBe(200);
  world.settledAll(payee);
  return toHex(payment.paymentId);
}

async function deliveredTo(r: Receiver, n: number, endpointId: string): Promise<void> {
  await eventually(
    async () =>
      r.received.length >= n &&
      (await deliveriesOf(endpointId)).every((d) => d.status === 'delivered'),
    `${n} deliveries reached the receiver and were recorded`,
  );
}

describe('registering an endpoint', () => {
  it('is for verified merchants only', async () => {
    const user = await world.user();
    const res = await world.post('/v1/webhooks', { url: 'https://shop.example/hooks' }, user);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: 'BANK_MERCHANT_NOT_VERIFIED',
      details: { state: 'none' },
    });
  });

  it('takes https only, answers the secret once, never lists it, and stores it sealed', async () => {
    const merchant = await world.merchant('Hook Shop');
    const http = await world.post('/v1/webhooks', { url: 'http://shop.example/hooks' }, merchant);
    expect(http.statusCode).toBe(422);
    expect(http.json()).toMatchObject({
      code: 'BANK_WEBHOOK_URL_INVALID',
      details: { reason: 'scheme' },
    });
    const inner = await world.post('/v1/webhooks', { url: 'https://10.0.0.7/hooks' }, merchant);
    expect(inner.json()).toMatchObject({
      code: 'BANK_WEBHOOK_URL_INVALID',
      details: { reason: 'private' },
    });

    const created = await register(merchant, 'https://shop.example/hooks', ['refund.created']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.endpoint).toMatchObject({ events: ['refund.created'], enabled: true });
    const list = await world.get('/v1/webhooks', merchant);
    expect(list.statusCode).toBe(200);
    expect(list.json<{ endpoints: unknown[] }>().endpoints).toEqual([
      expect.objectContaining({ id: created.endpoint.id, url: 'https://shop.example/hooks' }),
    ]);
    expect(list.body).not.toContain(created.secret);
    const [row] = await world.db.query<{ sealed_secret: Uint8Array }>(
      'SELECT sealed_secret FROM webhook_endpoints WHERE id = $1',
      [created.endpoint.id],
    );
    expect(Buffer.from(row!.sealed_secret).toString('latin1')).not.toContain(
      created.secret.slice(6),
    );
  });

  it('allows 5 enabled endpoints; disabling one makes room', async () => {
    const merchant = await world.merchant('Many Hooks');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await register(merchant, `https://shop.example/hooks/${i}`)).endpoint.id);
    }
    const sixth = await world.post('/v1/webhooks', { url: 'https://shop.example/6' }, merchant);
    expect(sixth.statusCode).toBe(409);
    expect(sixth.json()).toMatchObject({ code: 'BANK_WEBHOOKS_LIMIT', details: { limit: 5 } });
    const disabled = await world.post(`/v1/webhooks/${ids[0]}/disable`, undefined, merchant);
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({ id: ids[0], enabled: false });
    await register(merchant, 'https://shop.example/6');
  });
});

describe('events in the transaction that moves the money', () => {
  it('a settled batch writes one settlement.settled event, delivered and signed', async () => {
    const r = await receiver();
    const payee = await world.payee('Settle Hooks');
    const { endpoint, secret } = await register(payee.user, r.url);
    const paymentId = await settleOne(payee, 1234);

    const rows = await deliveriesOf(endpoint.id);
    expect(rows.map((d) => d.event_type)).toEqual(['settlement.settled']);
    expect(rows[0]!.payload).toMatchObject({
      currency: 'EUR',
      entries: 1,
      settledCount: 1,
      totalMinor: '1234',
      payments: [{ paymentId, amountMinor: '1234' }],
    });
    await deliveredTo(r, 1, endpoint.id);
    const got = r.received[0]!;
    expect(got.headers['offpay-event-id']).toBe(rows[0]!.event_id);
    expect(got.headers['offpay-event-type']).toBe('settlement.settled');
    expect(got.headers['content-type']).toBe('application/json');
    expect(verifyOffpaySignature(got.body, String(got.headers['offpay-signature']), secret)).toBe(
      true,
    );
    // A tampered body or another secret does not verify.
    expect(
      verifyOffpaySignature(
        got.body.replace('1234', '9234'),
        String(got.headers['offpay-signature']),
        secret,
      ),
    ).toBe(false);
    expect(
      verifyOffpaySignature(got.body, String(got.headers['offpay-signature']), `${secret}x`),
    ).toBe(false);
    expect(JSON.parse(got.body)).toMatchObject({
      id: rows[0]!.event_id,
      type: 'settlement.settled',
      data: { totalMinor: '1234' },
    });
  });

  it('a batch that rolls back writes no event, and nothing moves', async () => {
    const payee = await world.payee('Rollback Hooks');
    const { endpoint } = await register(payee.user, 'https://shop.example/hooks');
    const payer = await world.payer(10_000n);
    world.pay(payer, payee, 500);
    // The batch's last write (its audit line, after the outbox insert) fails: all rolls back.
    await world.db.exec(`
      CREATE FUNCTION t_fail_settlement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: settlement audit refused'; END $$;
      CREATE TRIGGER t_fail_settlement BEFORE INSERT ON audit_log FOR EACH ROW
        WHEN (NEW.action = 'settlement') EXECUTE FUNCTION t_fail_settlement();`);
    try {
      const res = await world.settle((await world.batch(payee)).sealed);
      expect(res.statusCode).toBe(500);
      expect(await deliveriesOf(endpoint.id)).toEqual([]);
      const paid = await world.db.query('SELECT 1 FROM payments WHERE payee_serial = $1', [
        payee.cert.serial,
      ]);
      expect(paid).toEqual([]);
    } finally {
      await world.db.exec(`DROP TRIGGER t_fail_settlement ON audit_log;
        DROP FUNCTION t_fail_settlement();`);
    }
    const again = await world.settle((await world.batch(payee)).sealed);
    expect(again.statusCode, again.body).toBe(200);
    expect((await deliveriesOf(endpoint.id)).map((d) => d.event_type)).toEqual([
      'settlement.settled',
    ]);
  });

  it('no endpoint registered: nothing is written', async () => {
    const payee = await world.payee('No Hooks');
    const [before] = await world.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_deliveries',
    );
    await settleOne(payee, 100);
    const [after] = await world.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_deliveries',
    );
    expect(after!.n).toBe(before!.n);
  });

  it('a refund writes refund.created; only the events asked for are written', async () => {
    const r = await receiver();
    const payee = await world.payee('Refund Hooks');
    const { endpoint, secret } = await register(payee.user, r.url, ['refund.created']);
    const paymentId = await settleOne(payee, 800);
    const res = await world.app.inject({
      method: 'POST',
      url: `/v1/payments/${paymentId}/refunds`,
      headers: { ...auth(payee.user), 'idempotency-key': randomUUID() },
      payload: { amountMinor: '300', reason: 'damaged' },
    });
    expect(res.statusCode, res.body).toBe(201);
    await deliveredTo(r, 1, endpoint.id);
    const rows = await deliveriesOf(endpoint.id);
    expect(rows.map((d) => d.event_type)).toEqual(['refund.created']);
    const body = JSON.parse(r.received[0]!.body) as { data: Record<string, unknown> };
    expect(body.data).toMatchObject({
      refundId: res.json<{ refund: { refundId: string } }>().refund.refundId,
      paymentId,
      amountMinor: '300',
      currency: 'EUR',
      reason: 'damaged',
    });
    expect(
      verifyOffpaySignature(
        r.received[0]!.body,
        String(r.received[0]!.headers['offpay-signature']),
        secret,
      ),
    ).toBe(true);
  });

  it('payouts write payout.requested, then payout.approved / refused with the reason', async () => {
    const r = await receiver();
    const merchant = await world.merchant('Payout Hooks');
    await world.fund(merchant, 10_000n);
    const { endpoint } = await register(merchant, r.url);
    const account = await world.post(
      '/v1/payout-accounts',
      { iban: 'FR14 2004 1010 0505 0001 3M02 606', holderName: 'Payout Hooks' },
      merchant,
    );
    expect(account.statusCode, account.body).toBe(201);
    const ask = () =>
      world.app.inject({
        method: 'POST',
        url: '/v1/payouts',
        headers: { ...auth(merchant), 'idempotency-key': randomUUID() },
        payload: {
          payoutAccountId: account.json<{ id: string }>().id,
          amountMinor: '1000',
          currency: 'EUR',
        },
      });
    const first = (await ask()).json<{ id: string }>().id;
    const second = (await ask()).json<{ id: string }>().id;
    const operator = await world.operator();
    const approved = await world.post(
      `/v1/operator/payouts/${first}/approve`,
      { reason: 'Checked ok' },
      operator,
    );
    expect(approved.statusCode, approved.body).toBe(200);
    const refused = await world.post(
      `/v1/operator/payouts/${second}/refuse`,
      { reason: 'Name mismatch' },
      operator,
    );
    expect(refused.statusCode, refused.body).toBe(200);
    await deliveredTo(r, 4, endpoint.id);
    const rows = await deliveriesOf(endpoint.id);
    expect(rows.map((d) => [d.event_type, d.payload['payoutId']])).toEqual([
      ['payout.requested', first],
      ['payout.requested', second],
      ['payout.approved', first],
      ['payout.refused', second],
    ]);
    expect(rows[3]!.payload).toMatchObject({
      state: 'refused',
      amountMinor: '1000',
      reason: 'Name mismatch',
    });
  });
});

describe('delivery', () => {
  it('a receiver answering 500 twice, then 200: delivered on the third attempt, logged', async () => {
    const r = await receiver([500, 500]);
    const payee = await world.payee('Flaky Hooks');
    const { endpoint } = await register(payee.user, r.url);
    await settleOne(payee, 250);
    await deliveredTo(r, 3, endpoint.id);
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    // Every attempt is the same event: the receiver dedupes by its id.
    expect(new Set(r.received.map((x) => x.headers['offpay-event-id']))).toEqual(
      new Set([row!.event_id]),
    );
    const attempts = await world.app.metrics.webhookAttempts.get();
    const count = (outcome: string) =>
      attempts.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    expect(count('retried')).toBeGreaterThanOrEqual(2);
    expect(count('delivered')).toBeGreaterThanOrEqual(1);
    const log = await world.get(`/v1/webhooks/${endpoint.id}/deliveries`, payee.user);
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json<{ deliveries: unknown[] }>().deliveries).toEqual([
      expect.objectContaining({
        eventId: row!.event_id,
        status: 'delivered',
        attempts: 3,
        lastStatusCode: 200,
      }),
    ]);
  });

  it('gives up after the last attempt and says why; never follows a redirect', async () => {
    const r = await receiver([302, 500, 500, 500, 500]);
    const payee = await world.payee('Dead Hooks');
    const { endpoint } = await register(payee.user, r.url);
    await settleOne(payee, 250);
    await eventually(
      async () => (await deliveriesOf(endpoint.id))[0]?.status === 'failed',
      'the delivery was given up',
    );
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ attempts: 5, last_status_code: 500 });
    expect(r.received).toHaveLength(5);
  });
});

describe('two instances', () => {
  it('share the outbox: every event is sent once, none twice (SKIP LOCKED)', async () => {
    const r = await receiver();
    const merchant = await world.merchant('Busy Hooks');
    const { endpoint } = await register(merchant, r.url);
    const two = await buildTestApp({
      db: world.schema!.open(),
      now: () => world.clock,
      config: { webhooks: FAST_WEBHOOKS },
    });
    try {
      const { outbox } = world.app.services.webhooks;
      for (let i = 0; i < 40; i++) {
        await world.db.transaction((tx) =>
          outbox.enqueue(tx, { userId: merchant.userId }, 'payout.paid', { n: i }),
        );
      }
      await deliveredTo(r, 40, endpoint.id);
      const rows = await deliveriesOf(endpoint.id);
      expect(rows).toHaveLength(40);
      expect(rows.every((d) => d.attempts === 1)).toBe(true);
      const ids = r.received.map((x) => x.headers['offpay-event-id']);
      expect(ids).toHaveLength(40);
      expect(new Set(ids).size).toBe(40);
    } finally {
      await two.close();
    }
  });
});

describe('delivery logs', () => {
  it('a merchant sees only its own endpoints and deliveries', async () => {
    const a = await world.merchant('Log Shop A');
    const b = await world.merchant('Log Shop B');
    const { endpoint } = await register(a, 'https://a.example/hooks');
    const theirs = await world.get(`/v1/webhooks/${endpoint.id}/deliveries`, b);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json()).toMatchObject({ code: 'BANK_WEBHOOK_NOT_FOUND' });
    const disable = await world.post(`/v1/webhooks/${endpoint.id}/disable`, undefined, b);
    expect(disable.statusCode).toBe(404);
    expect((await world.get('/v1/webhooks', b)).json()).toEqual({ endpoints: [] });
  });

  it('operators and auditors read every log, filtered and paged; each read is audited', async () => {
    const r = await receiver();
    const payee = await world.payee('Console Hooks');
    const { endpoint } = await register(payee.user, r.url);
    await settleOne(payee, 100);
    await settleOne(payee, 200);
    await deliveredTo(r, 2, endpoint.id);
    for (const role of ['operator', 'auditor'] as const) {
      const o = await world.operator(role);
      const res = await world.get(
        `/v1/operator/webhook-deliveries?endpointId=${endpoint.id}&status=delivered&limit=1`,
        o,
      );
      expect(res.statusCode, res.body).toBe(200);
      const [newest] = res.json<{ deliveries: { cursor: string; userId: string; url: string }[] }>()
        .deliveries;
      expect(newest).toMatchObject({ userId: payee.user.userId, url: r.url, status: 'delivered' });
      const older = await world.get(
        `/v1/operator/webhook-deliveries?endpointId=${endpoint.id}&before=${newest!.cursor}`,
        o,
      );
      expect(older.json<{ deliveries: { cursor: string }[] }>().deliveries).toHaveLength(1);
      const audited = await world.db.query(
        `SELECT 1 FROM audit_log WHERE action = 'operator.read' AND actor = $1
           AND data->>'target' = 'webhook_deliveries'`,
        [`operator:${o.actor.id}`],
      );
      expect(audited).toHaveLength(2);
    }
    const customer = await world.get('/v1/operator/webhook-deliveries', payee.user);
    expect([401, 403]).toContain(customer.statusCode);
  });
});

/**
 * Retention of the webhook delivery log (WEBHOOK_RETENTION_DAYS, docs/operations.md "Webhooks"):
 * delivered and given-up deliveries older than the retention age are deleted in bounded chunks,
 * pending ones never, recent ones not yet; the merchant's log still reads what is left. Once
 * through the service with small chunks, once through the bank's own retention job.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { eventually } from '../../redis/helpers.js';
import { FAST_WEBHOOKS } from '../../helpers/webhooks.js';
import { useWorld, type User } from '../../helpers/world.js';

const DAY_MS = 86_400_000;
// Retention on, its job off in this bank (days 30, interval 0): the tests run it themselves.
const world = useWorld({
  config: { webhooks: { ...FAST_WEBHOOKS, pollMs: 0, retentionDays: 30, retentionIntervalMs: 0 } },
});
const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function endpointOf(merchant: User): Promise<string> {
  const res = await world.post('/v1/webhooks', { url: 'https://shop.example/hooks' }, merchant);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ endpoint: { id: string } }>().endpoint.id;
}

/** Writes `count` deliveries of `endpointId` created `ageDays` before the bank's clock. */
async function deliveries(
  endpointId: string,
  status: 'pending' | 'delivered' | 'failed',
  ageDays: number,
  count = 1,
): Promise<void> {
  const at = new Date(world.clock.getTime() - ageDays * DAY_MS);
  await world.db.query(
    `INSERT INTO webhook_deliveries
       (event_id, endpoint_id, event_type, payload, created_at, next_attempt_at, status,
        attempts, delivered_at)
     SELECT gen_random_uuid(), $1, 'refund.created', '{}'::jsonb, $2, $2, $3, 1,
            CASE WHEN $3 = 'delivered' THEN $2::timestamptz END
     FROM generate_series(1, $4)`,
    [endpointId, at, status, count],
  );
}

async function statuses(endpointId: string): Promise<string[]> {
  const rows = await world.db.query<{ status: string; age: number }>(
    `SELECT status, round(extract(epoch FROM $2::timestamptz - created_at) / 86400)::int AS age
     FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, seq`,
    [endpointId, world.clock],
  );
  return rows.map((r) => `${r.status}@${r.age}d`);
}

describe('webhook delivery retention', () => {
  it('deletes old finished deliveries in bounded chunks; pending and recent ones stay', async () => {
    const merchant = await world.merchant('Retained Hooks');
    const endpointId = await endpointOf(merchant);
    await deliveries(endpointId, 'delivered', 40, 5);
    await deliveries(endpointId, 'failed', 35);
    await deliveries(endpointId, 'pending', 45);
    await deliveries(endpointId, 'delivered', 29);
    await deliveries(endpointId, 'failed', 1);

    const before = new Date(world.clock.getTime() - 30 * DAY_MS);
    const purge = (at: Date, bounds: { chunk: number; maxChunks: number }) =>
      world.app.services.webhooks.purgeDeliveries(at, bounds);
    // Chunks of 2, at most 2 per call: 4 of the 6 old finished rows, and more to do.
    expect(await purge(before, { chunk: 2, maxChunks: 2 })).toEqual({ deleted: 4, more: true });
    expect(await purge(before, { chunk: 2, maxChunks: 2 })).toEqual({ deleted: 2, more: false });
    expect(await purge(before, { chunk: 2, maxChunks: 2 })).toEqual({ deleted: 0, more: false });
    expect(await statuses(endpointId)).toEqual(['pending@45d', 'delivered@29d', 'failed@1d']);

    const log = await world.get(`/v1/webhooks/${endpointId}/deliveries`, merchant);
    expect(log.statusCode, log.body).toBe(200);
    expect(
      log.json<{ deliveries: { status: string }[] }>().deliveries.map((d) => d.status),
    ).toEqual(['failed', 'delivered', 'pending']);
  });

  it("the bank's retention job deletes them by itself, by the bank's clock", async () => {
    const merchant = await world.merchant('Job Retained Hooks');
    const endpointId = await endpointOf(merchant);
    await deliveries(endpointId, 'delivered', 31, 3);
    await deliveries(endpointId, 'pending', 60);
    await deliveries(endpointId, 'delivered', 2);
    const app = await buildTestApp({
      db: world.db,
      now: () => world.clock,
      config: {
        webhooks: { ...FAST_WEBHOOKS, pollMs: 0, retentionDays: 30, retentionIntervalMs: 50 },
      },
    });
    apps.push(app);
    await eventually(
      async () => (await statuses(endpointId)).join() === 'pending@60d,delivered@2d',
      'the old delivered rows were deleted',
    );
  });
});

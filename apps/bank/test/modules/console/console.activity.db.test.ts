/**
 * The console's live activity stream (issue #13 item 7, docs/operations.md "The console"),
 * against real Postgres and a redis-server of its own: a snapshot at once, another after a
 * settlement that counts it, a few streams per operator, the end at logout, and Redis dying
 * while the stream goes on saying so.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores } from '../../../src/kv/redis.js';
import type { KeyValueStores } from '../../../src/kv/kv.js';
import { auditOf, settledPayment } from '../../helpers/console.js';
import { World, type TestOperator } from '../../helpers/world.js';
import { eventually, PrivateRedis, redisPrefix } from '../../redis/helpers.js';
import { SseStream, type SseFrame } from '../../redis/sse.js';

interface Snapshot {
  settlementsLastMinute: { currency: string; count: number; valueMinor: string }[];
  reservesOutstanding: { currency: string; valueMinor: string }[];
  fraudProofs: { last24h: number; total: number };
  revocations: { last24h: number; total: number };
  database: string;
  redis: string;
  intervalSeconds: number;
}

let redis: PrivateRedis;
let stores: KeyValueStores;
let world: World;
let url: string;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  stores = await createRedisStores(redis.url, { prefix: redisPrefix() });
  world = await World.create({
    stores,
    config: { console: { activitySeconds: 1, maxStreamsPerOperator: 2 } },
  });
  await world.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}/v1/operator/activity`;
});
afterAll(async () => {
  world?.app.server.closeAllConnections();
  await world?.close();
  await stores?.close();
  await redis?.stop();
});

async function open(operator: TestOperator): Promise<SseStream> {
  const stream = await SseStream.open(url, operator.token);
  if (!(stream instanceof SseStream)) throw new Error(`refused: ${stream.status}`);
  return stream;
}

const isActivity = (f: SseFrame) => f.event === 'activity';

async function snapshot(stream: SseStream, match: (s: Snapshot) => boolean = () => true) {
  const frame = await stream.next(
    (f) => isActivity(f) && match(JSON.parse(f.data ?? 'null') as Snapshot),
    10_000,
  );
  return JSON.parse(frame.data ?? 'null') as Snapshot;
}

const eurSettled = (s: Snapshot) =>
  s.settlementsLastMinute.find((t) => t.currency === 'EUR') ?? { count: 0, valueMinor: '0' };

describe('GET /v1/operator/activity', () => {
  it('sends a snapshot at once, then one that counts a new settlement; the opening is audited', async () => {
    const auditor = await world.operator('auditor');
    const stream = await open(auditor);
    try {
      const first = await snapshot(stream);
      expect(first).toMatchObject({ database: 'ok', redis: 'ok', intervalSeconds: 1 });
      const before = eurSettled(first);
      await settledPayment(world, 640);
      const after = await snapshot(stream, (s) => eurSettled(s).count > before.count);
      expect(eurSettled(after)).toEqual({
        currency: 'EUR',
        count: before.count + 1,
        valueMinor: (BigInt(before.valueMinor) + 640n).toString(),
      });
      expect(after.reservesOutstanding).toContainEqual(
        expect.objectContaining({ currency: 'EUR' }),
      );
    } finally {
      stream.close();
    }
    expect(await auditOf(world, auditor, 'operator.read')).toMatchObject([
      { target: 'activity', intervalSeconds: 1 },
    ]);
  });

  it('is refused to a customer token, and beyond the streams one operator may hold (429)', async () => {
    const ann = await world.user('Ann');
    const refused = await SseStream.open(url, ann.token);
    expect(refused).toMatchObject({ status: 401 });
    const ops = await world.operator();
    const streams = [await open(ops), await open(ops)];
    try {
      const third = await SseStream.open(url, ops.token);
      expect(third).toMatchObject({ status: 429, body: { code: 'BANK_RATE_LIMITED' } });
    } finally {
      for (const s of streams) s.close();
    }
    // Closed streams give their slots back.
    let again: Awaited<ReturnType<typeof SseStream.open>> | undefined;
    await eventually(async () => {
      again = await SseStream.open(url, ops.token);
      if (again instanceof SseStream) return true;
      expect(again).toMatchObject({ status: 429 });
      return false;
    }, 'a closed stream gave its slot back');
    (again as SseStream).close();
  });

  it('ends with event: end at the operator’s logout', async () => {
    const ops = await world.operator();
    const stream = await open(ops);
    await snapshot(stream);
    const out = await world.post('/v1/operator/auth/logout', undefined, ops);
    expect(out.statusCode, out.body).toBe(204);
    const end = await stream.next((f) => f.event === 'end', 10_000);
    expect(JSON.parse(end.data ?? 'null')).toEqual({ reason: 'logged-out' });
    await expect(stream.next(() => true, 5_000)).rejects.toThrow('the stream ended');
  });

  it('ends with event: end when its token expires', async () => {
    const ops = await world.operator();
    const stream = await open(ops);
    try {
      await snapshot(stream);
      // Operator sessions last 900 s; past them (and any leeway) the next check ends the stream.
      world.advance(900 + 600);
      const end = await stream.next((f) => f.event === 'end', 10_000);
      expect(JSON.parse(end.data ?? 'null')).toEqual({ reason: 'token-expired' });
    } finally {
      world.clock = new Date();
      stream.close();
    }
  });

  it('goes on when Redis dies, and says so', async () => {
    const ops = await world.operator();
    const stream = await open(ops);
    try {
      expect(await snapshot(stream)).toMatchObject({ redis: 'ok' });
      await redis.stop();
      const down = await snapshot(stream, (s) => s.redis === 'down');
      expect(down).toMatchObject({ database: 'ok', redis: 'down' });
      expect(await snapshot(stream)).toMatchObject({ database: 'ok', redis: 'down' });
    } finally {
      stream.close();
    }
  });
});

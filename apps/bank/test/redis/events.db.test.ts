/**
 * GET /v1/settlements/events: a payee following on one instance sees the outcome of a batch
 * settled on another (Redis pub/sub), only its own payees, authenticated by the header only;
 * streams per user are bounded and freed when the client goes; without Redis the in-process bus
 * serves a single instance.
 */
import type { AddressInfo } from 'node:net';
import { toHex } from '@offpay/crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type PayeeDevice } from '../helpers/world.js';
import { cluster, eventually, type Cluster } from './helpers.js';
import { SseStream } from './sse.js';

const events = { maxStreamsPerUser: 2, heartbeatSeconds: 1 };

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/settlements/events`;
}

async function follow(url: string, token?: string): Promise<SseStream> {
  const stream = await SseStream.open(url, token);
  if (!(stream instanceof SseStream)) throw new Error(`refused: ${stream.status}`);
  // The first comment comes once the subscription is active.
  await stream.next((f) => f.comment?.startsWith('following') ?? false);
  return stream;
}

let c: Cluster;
let url: string;
beforeAll(async () => {
  c = await cluster({ events });
  url = await listen(c.one);
});
afterAll(async () => {
  // Idle keep-alive connections of the test's fetch client would hold server.close() for seconds.
  c.one.server.closeAllConnections();
  await c.close();
});

/** Settles the payee's unsettled entries on `app` and returns the answer's body. */
async function settleOn(app: FastifyInstance, payee: PayeeDevice) {
  const { sealed } = await c.world.batch(payee);
  const res = await c.world.settle(sealed, {}, app);
  expect(res.statusCode, res.body).toBe(200);
  c.world.settledAll(payee);
  const body = res.json<{ batchKey: string; head: string; settledAt: number }>();
  return { ...body, sealed };
}

describe('across instances', () => {
  it('shows a payee following on instance 1 the outcome of a batch settled on instance 2', async () => {
    const payer = await c.world.payer(10_000n);
    const payee = await c.world.payee();
    const stream = await follow(`${url}?payeeKid=${toHex(payee.kid)}`, payee.user.token);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The receiver app reads the stream from its own origin: the hijacked reply keeps CORS.
    const app = await SseStream.open(url, payee.user.token, { origin: 'http://127.0.0.1:5174' });
    if (!(app instanceof SseStream)) throw new Error(`refused: ${app.status}`);
    expect(app.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5174');
    app.close();
    try {
      const paid = c.world.pay(payer, payee, 1200);
      const first = await settleOn(c.two, payee);
      expect(await stream.nextEvent()).toEqual({
        batchKey: first.batchKey,
        payeeKid: toHex(payee.kid),
        fromIndex: 0,
        head: first.head,
        settledAt: first.settledAt,
        results: [{ index: 0, paymentId: toHex(paid.paymentId), status: 'settled', code: '' }],
      });
      // A replay is no news; the next event is the next batch.
      const replay = await c.world.settle(first.sealed, {}, c.two);
      expect(replay.json<{ replayed: boolean }>().replayed).toBe(true);
      c.world.pay(payer, payee, 300);
      const second = await settleOn(c.two, payee);
      expect(await stream.nextEvent()).toMatchObject({ batchKey: second.batchKey, fromIndex: 1 });
      // Heartbeats keep an idle stream open.
      expect((await stream.next((f) => f.comment === 'heartbeat', 3_000)).comment).toBe(
        'heartbeat',
      );
    } finally {
      stream.close();
    }
  });

  it("never shows one user another user's payees", async () => {
    const payer = await c.world.payer(5_000n);
    const [mine, theirs] = [await c.world.payee('Mine'), await c.world.payee('Theirs')];
    const stream = await follow(url, mine.user.token);
    try {
      c.world.pay(payer, theirs, 100);
      await settleOn(c.two, theirs);
      c.world.pay(payer, mine, 200);
      const settled = await settleOn(c.two, mine);
      expect(await stream.nextEvent()).toMatchObject({ batchKey: settled.batchKey });
    } finally {
      stream.close();
    }
    const foreign = await SseStream.open(`${url}?payeeKid=${toHex(theirs.kid)}`, mine.user.token);
    expect(foreign).toMatchObject({ status: 404, body: { code: 'BANK_PAYEE_NOT_FOUND' } });
    const noPayee = await SseStream.open(url, (await c.world.user()).token);
    expect(noPayee).toMatchObject({ status: 404, body: { code: 'BANK_PAYEE_NOT_FOUND' } });
  });

  it('takes the token from the Authorization header only', async () => {
    const payee = await c.world.payee();
    expect(await SseStream.open(url)).toMatchObject({ status: 401 });
    const inUrl = await SseStream.open(`${url}?token=${payee.user.token}`);
    expect(inUrl).toMatchObject({ status: 401, body: { code: 'BANK_AUTH_REQUIRED' } });
  });

  it('bounds the streams of one user, and frees one when its client goes', async () => {
    const payee = await c.world.payee();
    const open = [await follow(url, payee.user.token), await follow(url, payee.user.token)];
    const refused = await SseStream.open(url, payee.user.token);
    expect(refused).toMatchObject({ status: 429, body: { code: 'BANK_RATE_LIMITED' } });
    expect((refused as { headers: Headers }).headers.get('retry-after')).toBe('5');
    open[0]!.close();
    let again: SseStream | undefined;
    await eventually(async () => {
      const s = await SseStream.open(url, payee.user.token);
      if (s instanceof SseStream) again = s;
      return again !== undefined;
    }, 'a freed stream can be opened again');
    again?.close();
    open[1]!.close();
  });
});

describe('without Redis', () => {
  it('streams outcomes through the in-process bus of a single instance', async () => {
    const world = await World.create({ config: { events } });
    try {
      const local = await listen(world.app);
      const payer = await world.payer(1_000n);
      const payee = await world.payee();
      const stream = await follow(local, payee.user.token);
      world.pay(payer, payee, 250);
      const res = await world.settle((await world.batch(payee)).sealed);
      expect(await stream.nextEvent()).toMatchObject({
        batchKey: res.json<{ batchKey: string }>().batchKey,
        results: [{ status: 'settled' }],
      });
      stream.close();
    } finally {
      await world.close();
    }
  });
});

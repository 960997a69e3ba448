/**
 * A live-event stream lives no longer than its token (issue #12 item 6), each a regression test:
 * a stream kept delivering after "log out everywhere" and after its token expired. Now it ends
 * with `event: end` and a reason — logging out on another instance ends it too.
 */
import type { AddressInfo } from 'node:net';
import { toHex } from '@offpay/crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth } from '../helpers/world.js';
import { cluster, type Cluster } from './helpers.js';
import { SseStream } from './sse.js';

const events = { maxStreamsPerUser: 5, heartbeatSeconds: 1 };

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/settlements/events`;
}

async function follow(url: string, token: string): Promise<SseStream> {
  const stream = await SseStream.open(url, token);
  if (!(stream instanceof SseStream)) throw new Error(`refused: ${stream.status}`);
  await stream.next((f) => f.comment?.startsWith('following') ?? false);
  return stream;
}

/** Waits for `event: end` and then the end of the stream; returns the reason. */
async function endOf(stream: SseStream): Promise<string> {
  const frame = await stream.next((f) => f.event === 'end', 10_000);
  await expect(stream.next(() => true, 5_000)).rejects.toThrow('the stream ended');
  return JSON.parse(frame.data ?? 'null') as string;
}

let c: Cluster;
let url: string;
beforeAll(async () => {
  c = await cluster({ events });
  url = await listen(c.one);
});
afterAll(async () => {
  c.one.server.closeAllConnections();
  await c.close();
});

describe('a live-event stream ends with its token', () => {
  it('at "log out everywhere", even when the logout reaches another instance', async () => {
    const payee = await c.world.payee();
    const stream = await follow(`${url}?payeeKid=${toHex(payee.kid)}`, payee.user.token);
    const out = await c.two.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: auth(payee.user),
    });
    expect(out.statusCode, out.body).toBe(204);
    expect(await endOf(stream)).toEqual({ reason: 'logged-out' });
    // Opening it again with the same token is refused.
    const again = await SseStream.open(url, payee.user.token);
    expect(again).toMatchObject({ status: 401, body: { code: 'BANK_TOKEN_REVOKED' } });
  });

  it("at a report of the account's till lost or stolen, made on another instance", async () => {
    // The stolen till's tab follows its settlements; the merchant reports it from another phone
    // (docs/threat-model.md §4.1 "Sessions"): the thief's stream ends as at a logout.
    const payee = await c.world.payee();
    const stream = await follow(`${url}?payeeKid=${toHex(payee.kid)}`, payee.user.token);
    const reported = await c.two.inject({
      method: 'POST',
      url: `/v1/certificates/${payee.cert.serial}/report`,
      headers: auth(payee.user),
      payload: { reason: 'stolen' },
    });
    expect(reported.json(), reported.body).toMatchObject({ signedOut: true });
    expect(await endOf(stream)).toEqual({ reason: 'logged-out' });
  });

  it('at token expiry', async () => {
    const payee = await c.world.payee();
    const stream = await follow(url, payee.user.token);
    // Past expiry (15 minutes) and the clock leeway: the bank's clock moves, the token ends.
    const start = c.world.clock;
    c.world.clock = new Date(start.getTime() + 16 * 60_000);
    try {
      expect(await endOf(stream)).toEqual({ reason: 'token-expired' });
      const again = await SseStream.open(url, payee.user.token);
      expect(again).toMatchObject({ status: 401, body: { code: 'BANK_TOKEN_EXPIRED' } });
    } finally {
      c.world.clock = start;
    }
  });

  it('while the token holds, the stream stays open across heartbeats', async () => {
    const payee = await c.world.payee();
    const stream = await follow(url, payee.user.token);
    for (let i = 0; i < 3; i++) {
      expect(await stream.next((f) => f.comment === 'heartbeat' || f.event === 'end')).toEqual({
        comment: 'heartbeat',
      });
    }
    stream.close();
  });
});

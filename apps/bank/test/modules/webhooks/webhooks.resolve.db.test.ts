/**
 * Webhook receivers are resolved and checked at delivery (docs/webhooks.md "What the bank will
 * not call"): a public-looking name that resolves to a loopback, private or IPv4-mapped private
 * address is refused and the delivery given up with a stable reason, unless WEBHOOK_ALLOW_HTTP
 * (development only) allows it; the connection goes to the address that was checked, not to a
 * second DNS answer; a DNS failure is retried like a refused connection. Real Postgres and a
 * real HTTP server on loopback; the resolver is the worker's injected dependency.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResolvedAddress, Resolver } from '../../../src/modules/webhooks/webhooks.http.js';
import {
  createDeliveryWorker,
  PRIVATE_HOST_ERROR,
} from '../../../src/modules/webhooks/webhooks.worker.js';
import { FAST_WEBHOOKS } from '../../helpers/webhooks.js';
import { useWorld } from '../../helpers/world.js';

// The app's own delivery job is off: each test runs the worker itself, with its own resolver.
const world = useWorld({ config: { webhooks: { ...FAST_WEBHOOKS, pollMs: 0 } } });
const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

interface Delivery {
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
}

/** A payee with endpoint `url` and one settled payment: one delivery pending. */
async function pendingDeliveryTo(url: string): Promise<string> {
  const payee = await world.payee('Resolve Hooks');
  const res = await world.post('/v1/webhooks', { url }, payee.user);
  expect(res.statusCode, res.body).toBe(201);
  const endpointId = res.json<{ endpoint: { id: string } }>().endpoint.id;
  world.pay(await world.payer(10_000n), payee, 500);
  const settled = await world.settle((await world.batch(payee)).sealed);
  expect(settled.statusCode, settled.body).toBe(200);
  world.settledAll(payee);
  return endpointId;
}

async function deliveryOf(endpointId: string): Promise<Delivery> {
  const rows = await world.db.query<Delivery>(
    `SELECT status, attempts, last_status_code, last_error FROM webhook_deliveries
     WHERE endpoint_id = $1`,
    [endpointId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** Runs the worker once with `resolve`, recording the names it was asked. */
async function deliverWith(
  answer: ResolvedAddress[] | Error,
  allowLocalHttp: boolean,
): Promise<string[]> {
  const asked: string[] = [];
  const resolve: Resolver = (host) => {
    asked.push(host);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  const worker = createDeliveryWorker({
    db: world.db,
    vault: world.app.webhookVault,
    options: { ...FAST_WEBHOOKS, allowLocalHttp },
    resolve,
  });
  await worker.runOnce();
  return asked;
}

/** An HTTP server on `host` answering 200, with a count of the requests it got. */
async function serverOn(host: string): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.end('ok');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

describe('a host name resolved at delivery', () => {
  it.each([
    ['loopback', [{ address: '127.0.0.1', family: 4 }]],
    [
      'private, beside a public one',
      [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
    ],
    ['IPv4-mapped private', [{ address: '::ffff:192.168.1.20', family: 6 }]],
    ['unique-local IPv6', [{ address: 'fd12:3456::1', family: 6 }]],
  ] as const)('to a %s address is refused and given up', async (_, answer) => {
    const endpointId = await pendingDeliveryTo('https://hooks.shop.example/in');
    const asked = await deliverWith([...answer], false);
    expect(asked).toEqual(['hooks.shop.example']);
    expect(await deliveryOf(endpointId)).toEqual({
      status: 'failed',
      attempts: 1,
      last_status_code: null,
      last_error: PRIVATE_HOST_ERROR,
    });
  });

  it('that fails to resolve is retried, like a refused connection', async () => {
    const endpointId = await pendingDeliveryTo('https://nowhere.shop.example/in');
    await deliverWith(Object.assign(new Error('no such host'), { code: 'ENOTFOUND' }), false);
    expect(await deliveryOf(endpointId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'connection failed (ENOTFOUND)',
    });
    // Given up by hand, so that its retry is not claimed by the next test's worker.
    await world.db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE endpoint_id = $1`, [
      endpointId,
    ]);
  });

  it('to loopback is called when WEBHOOK_ALLOW_HTTP allows it, once, at the checked address', async () => {
    // The server listens on 127.0.0.2 only: `localhost` from the system resolver (127.0.0.1)
    // would be refused, so a delivery proves the socket went to the address the worker checked.
    const server = await serverOn('127.0.0.2');
    const endpointId = await pendingDeliveryTo(`http://localhost:${server.port}/hooks`);
    const asked = await deliverWith([{ address: '127.0.0.2', family: 4 }], true);
    expect(asked).toEqual(['localhost']);
    expect(server.hits()).toBe(1);
    expect(await deliveryOf(endpointId)).toMatchObject({
      status: 'delivered',
      last_status_code: 200,
    });
  });

  it('with the system resolver, localhost is called when allowed', async () => {
    const server = await serverOn('127.0.0.1');
    const endpointId = await pendingDeliveryTo(`http://localhost:${server.port}/hooks`);
    await createDeliveryWorker({
      db: world.db,
      vault: world.app.webhookVault,
      options: FAST_WEBHOOKS,
    }).runOnce();
    expect(await deliveryOf(endpointId)).toMatchObject({ status: 'delivered' });
  });
});

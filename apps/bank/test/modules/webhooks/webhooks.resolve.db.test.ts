/**
 * Webhook receivers are resolved and checked at delivery (docs/webhooks.md "What the bank will
 * not call"): a public-looking name that resolves to a loopback, private or IPv4-mapped private
 * address is never called; the attempt is recorded with a stable reason and retried with the
 * normal backoff until the last attempt (a merchant's DNS may point somewhere private only for a
 * while), unless WEBHOOK_ALLOW_HTTP (development only) allows the address. A URL the policy no
 * longer allows is given up at once, unresolved. The connection goes to the address that was
 * checked, not to a second DNS answer; a DNS failure is retried like a refused connection. Real
 * Postgres and real HTTP servers on loopback; the resolver is the worker's injected dependency.
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

interface Run {
  /** The host names the resolver was asked. */
  asked: string[];
  /** What the worker reported (metrics): delivered, retried or failed. */
  outcomes: string[];
}

/** Runs the worker once with `resolve` answering `answer`, recording what it was asked. */
async function deliverWith(
  answer: ResolvedAddress[] | Error,
  allowLocalHttp: boolean,
): Promise<Run> {
  const run: Run = { asked: [], outcomes: [] };
  const resolve: Resolver = (host) => {
    run.asked.push(host);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  const worker = createDeliveryWorker({
    db: world.db,
    vault: world.app.webhookVault,
    options: { ...FAST_WEBHOOKS, allowLocalHttp },
    resolve,
    observer: { attempt: (outcome) => run.outcomes.push(outcome) },
    random: () => 0.5,
  });
  await worker.runOnce();
  return run;
}

/** Gives a pending delivery up by hand, so that its retry is not claimed by a later test's worker. */
async function giveUp(endpointId: string): Promise<void> {
  await world.db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE endpoint_id = $1`, [
    endpointId,
  ]);
}

/** Makes a pending delivery due now, as if its backoff had passed. */
async function dueNow(endpointId: string): Promise<void> {
  await world.db.query(
    `UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`,
    [endpointId],
  );
}

/**
 * An HTTP server on `host` answering 200, with counts of the requests it answered and of the
 * connections it accepted (a TLS hello to it is a connection, never a request).
 */
async function serverOn(
  host: string,
): Promise<{ port: number; hits: () => number; connections: () => number }> {
  let hits = 0;
  let connections = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.end('ok');
  });
  server.on('connection', () => connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { port, hits: () => hits, connections: () => connections };
}

describe('a host name resolved at delivery', () => {
  it.each([
    ['loopback', [{ address: '127.0.0.2', family: 4 }]],
    [
      'private, beside a public one',
      [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ],
    ],
    ['IPv4-mapped private', [{ address: '::ffff:192.168.1.20', family: 6 }]],
    ['unique-local IPv6', [{ address: 'fd12:3456::1', family: 6 }]],
  ] as const)('to a %s address is not called; the attempt is retried', async (_, answer) => {
    // Something listens at the loopback answer's address and port: the worker must not reach it.
    const server = await serverOn('127.0.0.2');
    const endpointId = await pendingDeliveryTo(`https://hooks.shop.example:${server.port}/in`);
    const run = await deliverWith([...answer], false);
    expect(run).toEqual({ asked: ['hooks.shop.example'], outcomes: ['retried'] });
    expect(await deliveryOf(endpointId)).toEqual({
      status: 'pending',
      attempts: 1,
      last_status_code: null,
      last_error: PRIVATE_HOST_ERROR,
    });
    expect(server.connections()).toBe(0);
    await giveUp(endpointId);
  });

  it('that keeps resolving privately is retried with backoff to the last attempt, never called, then given up', async () => {
    const server = await serverOn('127.0.0.2');
    const url = `https://hooks.shop.example:${server.port}/in`;
    const payee = await world.payee('Moving Hooks');
    const res = await world.post('/v1/webhooks', { url }, payee.user);
    expect(res.statusCode, res.body).toBe(201);
    const endpointId = res.json<{ endpoint: { id: string } }>().endpoint.id;
    world.pay(await world.payer(10_000n), payee, 700);
    expect((await world.settle((await world.batch(payee)).sealed)).statusCode).toBe(200);
    world.settledAll(payee);

    const { maxAttempts } = FAST_WEBHOOKS.retry;
    const loopback = [{ address: '127.0.0.2', family: 4 as const }];
    for (let n = 1; n < maxAttempts; n++) {
      // Each attempt resolves the name anew: the next one may find the merchant's real host.
      expect(await deliverWith(loopback, false)).toEqual({
        asked: ['hooks.shop.example'],
        outcomes: ['retried'],
      });
      // What the merchant reads in its delivery log: pending, when the next attempt is, and why.
      const log = await world.get(`/v1/webhooks/${endpointId}/deliveries`, payee.user);
      expect(log.statusCode, log.body).toBe(200);
      const [row] = log.json<{ deliveries: Record<string, unknown>[] }>().deliveries;
      expect(row).toMatchObject({ status: 'pending', attempts: n, lastError: PRIVATE_HOST_ERROR });
      // The normal backoff (random 0.5: no jitter): 50 ms, then 150, then capped at 200.
      const waited =
        Date.parse(String(row!['nextAttemptAt'])) - Date.parse(String(row!['lastAttemptAt']));
      expect(waited).toBeGreaterThanOrEqual(Math.min(200, 50 * 3 ** (n - 1)));
      await dueNow(endpointId);
    }
    expect(await deliverWith(loopback, false)).toEqual({
      asked: ['hooks.shop.example'],
      outcomes: ['failed'],
    });
    expect(await deliveryOf(endpointId)).toEqual({
      status: 'failed',
      attempts: maxAttempts,
      last_status_code: null,
      last_error: PRIVATE_HOST_ERROR,
    });
    expect(server.connections()).toBe(0);
  });

  it('that fails to resolve is retried, like a refused connection', async () => {
    const endpointId = await pendingDeliveryTo('https://nowhere.shop.example/in');
    await deliverWith(Object.assign(new Error('no such host'), { code: 'ENOTFOUND' }), false);
    expect(await deliveryOf(endpointId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'connection failed (ENOTFOUND)',
    });
    await giveUp(endpointId);
  });

  it('to loopback is called when WEBHOOK_ALLOW_HTTP allows it, once, at the checked address', async () => {
    // The server listens on 127.0.0.2 only: `localhost` from the system resolver (127.0.0.1)
    // would be refused, so a delivery proves the socket went to the address the worker checked.
    const server = await serverOn('127.0.0.2');
    const endpointId = await pendingDeliveryTo(`http://localhost:${server.port}/hooks`);
    const run = await deliverWith([{ address: '127.0.0.2', family: 4 }], true);
    expect(run.asked).toEqual(['localhost']);
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

describe('a URL the policy no longer allows', () => {
  it('is given up at once, its host never resolved nor called', async () => {
    // Registered while WEBHOOK_ALLOW_HTTP allowed http://localhost; the bank now runs without it.
    const server = await serverOn('127.0.0.1');
    const endpointId = await pendingDeliveryTo(`http://localhost:${server.port}/hooks`);
    const run = await deliverWith([{ address: '127.0.0.1', family: 4 }], false);
    expect(run).toEqual({ asked: [], outcomes: ['failed'] });
    expect(await deliveryOf(endpointId)).toEqual({
      status: 'failed',
      attempts: 1,
      last_status_code: null,
      last_error: 'the URL is no longer allowed',
    });
    expect(server.connections()).toBe(0);
  });
});

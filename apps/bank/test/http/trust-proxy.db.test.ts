/**
 * Whose X-Forwarded-For the bank believes (issue #12 item 6; regression: TRUST_PROXY=true believed
 * every client's, so anyone picked their own address and escaped every per-address limit). A hop
 * count believes only what the proxies in front appended; an address list only what those
 * proxies say; nothing set, nobody. Seen through the per-address registration limit.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { BankConfig } from '../../src/config.js';
import { buildTestApp } from '../helpers/app.js';
import { useWorld } from '../helpers/world.js';

const world = useWorld();
const apps: FastifyInstance[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

async function bank(trustProxy: BankConfig['trustProxy']): Promise<FastifyInstance> {
  const rateLimits = { windowSeconds: 60, login: 100, enrollment: 100, settlement: 100 };
  const app = await buildTestApp({
    db: world.db,
    config: { trustProxy, rateLimits: { ...rateLimits, register: 1, registerTotal: 100 } },
  });
  apps.push(app);
  return app;
}

let n = 0;
/** A registration from socket address `from` carrying `forwarded` as X-Forwarded-For. */
const register = (app: FastifyInstance, from: string, forwarded: string) =>
  app
    .inject({
      method: 'POST',
      url: '/v1/auth/register',
      remoteAddress: from,
      headers: { 'x-forwarded-for': forwarded },
      payload: {
        email: `proxy${++n}-${Date.now()}@example.com`,
        password: 'correct horse battery',
        displayName: 'Proxy',
        currency: 'EUR',
      },
    })
    .then((r) => r.statusCode);

describe('TRUST_PROXY', () => {
  it('unset: a client naming other addresses is still one address', async () => {
    const app = await bank(false);
    expect(await register(app, '192.0.2.10', '198.51.100.1')).toBe(201);
    expect(await register(app, '192.0.2.10', '198.51.100.2')).toBe(429);
  });

  it('a hop count of 1: the address the proxy appended counts, a forged one in front does not', async () => {
    const app = await bank(1);
    // Behind one proxy (at 10.0.0.1): the client's real addresses are the last entries.
    expect(await register(app, '10.0.0.1', '203.0.113.1')).toBe(201);
    expect(await register(app, '10.0.0.1', '203.0.113.2')).toBe(201);
    // The client at 203.0.113.1 forges an entry; the proxy appends its real address after it.
    expect(await register(app, '10.0.0.1', '198.51.100.77, 203.0.113.1')).toBe(429);
  });

  it('a list of proxies: only they are believed', async () => {
    const app = await bank(['10.0.0.1']);
    expect(await register(app, '10.0.0.1', '203.0.113.5')).toBe(201);
    expect(await register(app, '10.0.0.1', '203.0.113.6')).toBe(201);
    // Not a listed proxy: its X-Forwarded-For is ignored, so it is one address however it varies.
    expect(await register(app, '192.0.2.20', '203.0.113.7')).toBe(201);
    expect(await register(app, '192.0.2.20', '203.0.113.8')).toBe(429);
  });
});

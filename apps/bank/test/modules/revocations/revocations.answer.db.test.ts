/**
 * GET /v1/revocations with the full list is serialised once per list and kept (revocations.answer.ts):
 * its bytes must stay those the route's serializer writes for each request, and a revocation must
 * be in the very next answer. The reference route below answers as the route did before the cache:
 * an object, encoded by the same response schema and `JSON.stringify`d by Fastify.
 */
import { routes } from '@offpay/api';
import { toBase64Url } from '@offpay/crypto';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeOptions } from '../../../src/http/route-schema.js';
import { useWorld, type User } from '../../helpers/world.js';

const REFERENCE = '/test/revocations-serialised-each-time';

const bank = useWorld({
  clock: new Date('2030-01-01T00:00:00.000Z'),
  invariants: true,
  ready: false,
});

beforeAll(async () => {
  const { app } = bank;
  app.route({
    ...routeOptions(app, routes.revocations),
    url: REFERENCE,
    handler: async () => {
      const list = await app.services.revocations.revocationList();
      return {
        kind: 'list' as const,
        seq: list.seq,
        issuedAt: list.issuedAt.toISOString(),
        serials: list.serials.map(String),
        signed: toBase64Url(list.signed),
        bankTime: app.now().toISOString(),
      };
    },
  });
  await app.ready();
});

const close = (serial: number, user: User) =>
  bank.post(`/v1/certificates/${serial}/close`, undefined, user);

/** GET `url` and the reference at the same bank time: both answers. */
async function both(url: string): Promise<[LightMyRequestResponse, LightMyRequestResponse]> {
  return [await bank.get(url), await bank.get(REFERENCE)];
}

/** The answer's bytes and headers are those of the reference, as a client receives them. */
function expectSameAnswer(res: LightMyRequestResponse, reference: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.rawPayload.equals(reference.rawPayload)).toBe(true);
  expect(res.headers['content-type']).toBe(reference.headers['content-type']);
  expect(res.headers['content-length']).toBe(reference.headers['content-length']);
  expect(res.headers['cache-control']).toBe('public, max-age=30');
}

describe('GET /v1/revocations, the full list kept per list', () => {
  it('answers the bytes the serializer writes, first and cached, each with its own bankTime', async () => {
    for (let i = 0; i < 3; i++) {
      const { user, cert } = await bank.payer(100n);
      expect((await close(cert.serial, user)).statusCode).toBe(200);
    }
    const [first, firstRef] = await both('/v1/revocations');
    expectSameAnswer(first, firstRef);
    expect(first.json<{ serials: string[] }>().serials).toHaveLength(3);

    bank.advance(7);
    const [cached, cachedRef] = await both('/v1/revocations');
    expectSameAnswer(cached, cachedRef);
    expect(cached.json<{ bankTime: string }>().bankTime).toBe(bank.clock.toISOString());
    expect(cached.body).not.toBe(first.body);

    // A `since` the bank has no delta for answers the full list: the same kept answer.
    const [fallback, fallbackRef] = await both('/v1/revocations?since=999999');
    expect(fallback.json<{ kind: string }>().kind).toBe('list');
    expectSameAnswer(fallback, fallbackRef);
  });

  it('a revocation after a cached answer is in the next answer', async () => {
    await bank.get('/v1/revocations');
    const before = await bank.revocationList();
    const { user, cert } = await bank.payer(100n);
    expect((await close(cert.serial, user)).statusCode).toBe(200);

    const after = await bank.revocationList();
    expect(after.seq).toBe(before.seq + 1);
    expect(after.serials).toContain(String(cert.serial));
    expect(before.serials).not.toContain(String(cert.serial));
    const [res, reference] = await both('/v1/revocations');
    expectSameAnswer(res, reference);
  });
});

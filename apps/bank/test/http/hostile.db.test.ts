/**
 * Hostile input over HTTP (issue #10 item 4): every query parameter, path parameter, header and
 * body field of every route is bounded and answered 4xx in the bank's `{code, message, details}`
 * shape; bytes that are not HTTP too; a wrong method is 405 with Allow; HEAD has no body; and a
 * keep-alive connection survives a refused request (a raw socket, as a client library sees it).
 */
import net from 'node:net';
import { errorBody, routes, type RouteSpec } from '@offpay/api';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_TIMEOUT_MS } from '../../src/app.js';
import { useWorld, type TestOperator, type User } from '../helpers/world.js';

const world = useWorld();
let user: User;
let operator: TestOperator;
let port: number;

beforeAll(async () => {
  user = await world.user();
  operator = await world.operator();
  await world.app.listen({ port: 0, host: '127.0.0.1' });
  port = (world.app.server.address() as net.AddressInfo).port;
});

/** One HTTP/1.1 exchange or several on one connection: the raw text the bank sent back. */
function onOneSocket(requests: string, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const done = () => {
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (until(text)) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
    socket.write(requests);
  });
}

/** The responses in `text`: status, headers (lowercased names) and body, by Content-Length. */
function responses(text: string) {
  const out: { status: number; headers: Record<string, string>; body: string }[] = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) break;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(
      lines.map((l) => [
        l.slice(0, l.indexOf(':')).toLowerCase(),
        l.slice(l.indexOf(':') + 1).trim(),
      ]),
    );
    const bodyLength = Number(headers['content-length'] ?? 0);
    out.push({
      status: Number(statusLine.split(' ')[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + bodyLength),
    });
    rest = rest.slice(end + 4 + bodyLength);
  }
  return out;
}

const GOOD = 'GET /v1/keys HTTP/1.1\r\nHost: bank.test\r\n\r\n';
const countResponses = (n: number) => (text: string) => responses(text).length >= n;

function expectShape(body: string): z.infer<typeof errorBody> {
  const parsed = errorBody.safeParse(JSON.parse(body));
  expect(parsed.error?.issues ?? [], body).toEqual([]);
  return parsed.data as z.infer<typeof errorBody>;
}

describe('cursors and counters past what SQL holds', () => {
  it.each([
    ['2^63', '9223372036854775808'],
    ['2^64', '18446744073709551616'],
    ['19 nines', '9999999999999999999'],
    ['negative', '-1'],
    ['zero', '0'],
    ['non-numeric', 'abc'],
    ['a float', '1.5'],
    ['10 KB', '7'.repeat(10_240)],
  ])('GET /v1/accounts/me/history?before=%s is 400 BANK_BAD_REQUEST', async (_, before) => {
    const res = await world.get(`/v1/accounts/me/history?before=${before}`, user);
    expect(res.statusCode).toBe(400);
    expect(expectShape(res.body).code).toBe('BANK_BAD_REQUEST');
  });

  it('the largest row id SQL holds (2^63 − 1) is a valid cursor', async () => {
    const res = await world.get('/v1/accounts/me/history?before=9223372036854775807', user);
    expect(res.statusCode).toBe(200);
  });

  it('GET /v1/operator/audit?after=2^63 is 400, not 500', async () => {
    const res = await world.get('/v1/operator/audit?after=9223372036854775808', operator);
    expect(res.statusCode).toBe(400);
    expect(expectShape(res.body).code).toBe('BANK_BAD_REQUEST');
  });
});

/** Values no field of any route accepts: too long, too large, the wrong type. */
const HOSTILE_STRINGS = ['x'.repeat(10_240), '9'.repeat(40), '-1', '\u0000'];
const HOSTILE_VALUES: unknown[] = [
  'x'.repeat(10_240),
  '\u0000',
  2 ** 64,
  -(2 ** 63),
  1.5,
  [],
  Array.from({ length: 2_000 }, () => 'x'),
  { nested: { deeper: 'x'.repeat(2_000) } },
  null,
];

function shapeKeys(schema: unknown): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function callerOf(route: RouteSpec) {
  if (route.operator) return operator;
  return route.auth ? user : undefined;
}

function pathWith(route: RouteSpec, value: string): string {
  return route.path.replace(/:([A-Za-z]+)/g, () => encodeURIComponent(value));
}

/** A valid-looking path for routes with parameters (a query or a body is what is under test). */
function plainPath(route: RouteSpec): string {
  return route.path
    .replace(':serial', '1')
    .replace(':batchKey', '0'.repeat(64))
    .replace(':id', '00000000-0000-4000-8000-000000000000');
}

describe('every route of @offpay/api refuses out-of-bound input with 4xx in shape', () => {
  // Logging out takes no input, and would end the session the other routes are called with.
  const all = (Object.entries(routes) as [string, RouteSpec][]).filter(
    ([, r]) => !r.path.endsWith('/logout'),
  );

  it.each(all)('%s', async (_, route) => {
    const caller = callerOf(route);
    const headers = caller ? { authorization: `Bearer ${caller.token}` } : {};
    const answers = [];
    for (const value of HOSTILE_STRINGS) {
      if (route.path.includes(':')) {
        answers.push(
          await world.app.inject({ method: route.method, url: pathWith(route, value), headers }),
        );
      }
      for (const key of shapeKeys(route.query)) {
        answers.push(
          await world.app.inject({
            method: route.method,
            url: `${plainPath(route)}?${key}=${encodeURIComponent(value)}`,
            headers,
          }),
        );
      }
      for (const key of shapeKeys(route.headers)) {
        answers.push(
          await world.app.inject({
            method: route.method,
            url: plainPath(route),
            headers: { ...headers, [key]: value.replace('\u0000', '') || 'x' },
            ...(route.method === 'POST' ? { payload: {} } : {}),
          }),
        );
      }
    }
    if (route.body) {
      const keys = shapeKeys(route.body);
      for (const value of HOSTILE_VALUES) {
        const payload = Object.fromEntries((keys.length ? keys : ['field']).map((k) => [k, value]));
        answers.push(
          await world.app.inject({ method: 'POST', url: plainPath(route), headers, payload }),
        );
      }
    }
    for (const res of answers) {
      expect(
        res.statusCode,
        `${route.method} ${route.path}: ${res.body.slice(0, 300)}`,
      ).toBeGreaterThanOrEqual(400);
      expect(
        res.statusCode,
        `${route.method} ${route.path}: ${res.body.slice(0, 300)}`,
      ).toBeLessThan(500);
      const { code } = expectShape(res.body);
      // The input was judged, not the caller: a token that stopped working would hide that.
      if (caller) expect(code).not.toMatch(/^BANK_(TOKEN|AUTH|ROLE)_/);
    }
  });
});

describe('methods, HEAD and unknown routes', () => {
  it('a known path with another method is 405 with Allow, in shape', async () => {
    for (const [method, url, allow] of [
      ['DELETE', '/v1/keys', 'GET, HEAD'],
      ['PUT', '/v1/settlements', 'POST'],
      ['PATCH', `/v1/settlements/${'a'.repeat(64)}`, 'GET, HEAD'],
    ] as const) {
      const res = await world.app.inject({ method, url });
      expect(res.statusCode).toBe(405);
      expect(res.headers['allow']).toBe(allow);
      expect(expectShape(res.body)).toMatchObject({
        code: 'BANK_METHOD_NOT_ALLOWED',
        details: { allowed: allow.split(', ') },
      });
    }
  });

  it('an unknown path is 404 BANK_NOT_FOUND whatever the method', async () => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = await world.app.inject({ method, url: '/v2/nothing?x=1' });
      expect(res.statusCode).toBe(404);
      expect(expectShape(res.body).code).toBe('BANK_NOT_FOUND');
    }
  });

  it('HEAD answers headers only, for a route, a wrong method and an unknown path', async () => {
    const text = await onOneSocket(
      [
        'HEAD /v1/keys HTTP/1.1\r\nHost: b\r\n\r\n',
        'HEAD /v1/settlements HTTP/1.1\r\nHost: b\r\n\r\n',
        'HEAD /v2/nothing HTTP/1.1\r\nHost: b\r\n\r\n',
        GOOD,
      ].join(''),
      (t) => t.includes('"signKeys"'),
    );
    // Were a HEAD answered with a body, its bytes would sit before the next status line.
    const statusLines = text.split('\r\n').filter((l) => l.startsWith('HTTP/1.1 '));
    expect(statusLines.map((l) => l.split(' ')[1])).toEqual(['200', '405', '404', '200']);
    const beforeLast = text.slice(0, text.lastIndexOf('HTTP/1.1 200'));
    expect(beforeLast).not.toContain('{');
  });

  it('OPTIONS without preflight headers gets no plain-text body', async () => {
    const res = await world.app.inject({ method: 'OPTIONS', url: '/v1/keys' });
    expect(res.statusCode).toBeLessThan(400);
    expect(res.body).toBe('');
  });
});

describe('malformed HTTP on a real socket', () => {
  it('keep-alive survives a refused request: bad JSON, then a good request, both answered', async () => {
    const bad =
      'POST /v1/auth/login HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n' +
      'Content-Length: 9\r\n\r\n{"email":';
    const text = await onOneSocket(bad + GOOD, countResponses(2));
    const [first, second] = responses(text);
    expect(first?.status).toBe(400);
    expect(expectShape(first?.body ?? '').code).toBe('BANK_BAD_REQUEST');
    expect(first?.headers['connection']).not.toBe('close');
    expect(second?.status).toBe(200);
    expect(JSON.parse(second?.body ?? '')).toHaveProperty('signKeys');
  });

  it('keep-alive survives 415, 405, 404 and a schema refusal in a row', async () => {
    const requests = [
      'POST /v1/settlements HTTP/1.1\r\nHost: b\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc',
      'DELETE /v1/keys HTTP/1.1\r\nHost: b\r\n\r\n',
      'GET /nothing HTTP/1.1\r\nHost: b\r\n\r\n',
      'POST /v1/auth/login HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      GOOD,
    ].join('');
    const answers = responses(await onOneSocket(requests, countResponses(5)));
    expect(answers.map((a) => a.status)).toEqual([415, 405, 404, 400, 200]);
    for (const a of answers.slice(0, 4)) expectShape(a.body);
  });

  it.each([
    [
      'a header line without a colon',
      'GET /v1/keys HTTP/1.1\r\nHost: b\r\nBad Header\r\n\r\n',
      400,
      'BANK_BAD_REQUEST',
    ],
    ['an unknown method', 'BREW /v1/keys HTTP/1.1\r\nHost: b\r\n\r\n', 400, 'BANK_BAD_REQUEST'],
    [
      'a Content-Length that is not a number',
      'POST /v1/auth/login HTTP/1.1\r\nHost: b\r\nContent-Length: abc\r\n\r\n',
      400,
      'BANK_BAD_REQUEST',
    ],
    [
      'two different Content-Lengths',
      'POST /v1/auth/login HTTP/1.1\r\nHost: b\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      400,
      'BANK_BAD_REQUEST',
    ],
    [
      'headers over 16 KiB',
      `GET /v1/keys HTTP/1.1\r\nHost: b\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'BANK_HEADERS_TOO_LARGE',
    ],
    ['not HTTP at all', '\u0000\u0001\u0002 garbage\r\n\r\n', 400, 'BANK_BAD_REQUEST'],
  ])('%s: answered in shape, then the connection closes', async (_, request, status, code) => {
    const text = await onOneSocket(request, () => false);
    const [answer, ...more] = responses(text);
    expect(answer?.status).toBe(status);
    expect(answer?.headers['connection']).toBe('close');
    expect(expectShape(answer?.body ?? '').code).toBe(code);
    expect(text).not.toMatch(/"statusCode"|"error":/);
    expect(more).toEqual([]);
  });

  it('a request that stops short of its Content-Length does not hold its connection for ever', () => {
    // Node cuts such a request after requestTimeout (408 BANK_REQUEST_TIMEOUT, answered by the
    // clientErrorHandler as test/http/client-errors.test.ts shows); Fastify's default is none.
    expect(world.app.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
  });

  it('a body over the limit is 413 in shape (the unread rest closes the connection)', async () => {
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70_000) });
    const request =
      'POST /v1/auth/login HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n${body}`;
    const [answer] = responses(await onOneSocket(request, countResponses(1)));
    expect(answer?.status).toBe(413);
    expect(expectShape(answer?.body ?? '').code).toBe('BANK_BODY_TOO_LARGE');
  });
});

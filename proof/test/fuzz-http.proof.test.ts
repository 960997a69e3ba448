/**
 * Fuzzing every HTTP endpoint of a real bank process (issue #10 item 9): seeded mutations of
 * valid requests — methods, path parameters, query strings, media types, tokens, JSON and CBOR
 * bodies — and malformed HTTP written straight to a socket. ≥ 10,000 requests in CI, ≥ 100,000
 * in the long run. Never a 5xx, never an error body outside the bank's {code, message, details}
 * shape (@offpay/api errorBody), never a hang, and the process never exits. Every request that
 * ever failed is kept in test/regressions/http.json and replayed first.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { errorBody, routes } from '@offpay/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankKemKey, pay, sealedBatch } from '../src/client.js';
import { mutate, mutateText } from '../src/mutate.js';
import { pick, rng, seed, size, summary } from '../src/scenario.js';
import { World } from '../src/world.js';

const REQUESTS = size(10_000, 100_000);
const CONCURRENCY = 8;
const SEED = seed();
const HANG_MS = 15_000;

/** One fuzzed request: everything a client controls. */
interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Hex body. */
  body: string;
  /** Raw bytes written to a socket instead (malformed HTTP), hex. */
  raw?: string;
}

/** What went wrong with one request (null: nothing). */
type Verdict = string | null;

let world: World;
let userToken: string;
let operatorToken: string;
let sealedSeed: Uint8Array;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

beforeAll(async () => {
  world = await World.start();
  const payer = await world.payer(100_000n);
  const payee = await world.payee();
  pay(payer, payee, 1234, world.bankNowSeconds);
  sealedSeed = sealedBatch(payee, await bankKemKey(world.url)).sealed;
  userToken = payer.user.token;
  operatorToken = await world.operatorToken();
});

afterAll(async () => {
  agent.destroy();
  await world?.stop();
});

const ROUTES = Object.values(routes).map((r) => ({ method: r.method, path: r.path }));
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const MEDIA = [
  'application/json',
  'application/cbor',
  'application/octet-stream',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/cbor; q=0.1',
  '*/*',
  ';;;',
];
const JSON_SEEDS = [
  {
    email: 'fuzz@example.com',
    password: 'correct horse battery',
    displayName: 'F',
    currency: 'EUR',
  },
  { email: 'fuzz@example.com', password: 'x', code: '123456' },
  {
    challengeId: '00000000-0000-0000-0000-000000000000',
    signKey: 'AAAA',
    signature: 'AA',
    limitMinor: '100',
  },
  { legalName: 'Fuzz Ltd', displayName: 'Fuzz', contact: 'f@example.com' },
  { reason: 'fuzz' },
  { sealed: 'AAAA' },
  { offpay: 1, type: 'settlement-batch', data: 'AAAA' },
  { proof: 'AAAA' },
];

function fill(random: () => number, path: string): string {
  return path.replace(/:([A-Za-z]+)/g, () => {
    const choices = [
      String(pick(random, 1000)),
      '9'.repeat(1 + pick(random, 40)),
      '-1',
      '00000000-0000-0000-0000-000000000000',
      'ff'.repeat(32),
      encodeURIComponent(mutateText(random, 'abc%00', [])),
      '',
    ];
    return choices[pick(random, choices.length)]!;
  });
}

function query(random: () => number): string {
  if (random() < 0.5) return '';
  const keys = ['before', 'limit', 'from', 'to', 'state', 'since', 'after', 'cursor', 'x'];
  const values = ['1', '0', '-1', '18446744073709551616', '1e9', 'NaN', '', '%ff', 'a'.repeat(300)];
  const n = 1 + pick(random, 3);
  const parts = Array.from(
    { length: n },
    () => `${keys[pick(random, keys.length)]}=${values[pick(random, values.length)]}`,
  );
  return `?${parts.join('&')}`;
}

/** A seeded request from the route table. */
function fuzzRequest(random: () => number): FuzzRequest {
  const route = ROUTES[pick(random, ROUTES.length)]!;
  const method = random() < 0.8 ? route.method : METHODS[pick(random, METHODS.length)]!;
  const headers: Record<string, string> = {};
  const auth = pick(random, 4);
  if (auth === 0) headers['authorization'] = `Bearer ${userToken}`;
  if (auth === 1) headers['authorization'] = `Bearer ${operatorToken}`;
  if (auth === 2)
    headers['authorization'] = `Bearer ${mutateText(random, userToken, [])}`.replace(
      /[^\t\x20-\x7e]/g,
      '',
    );
  let body: Uint8Array = new Uint8Array(0);
  if (method !== 'GET' && method !== 'HEAD' && random() < 0.9) {
    if (route.path === '/v1/settlements' && random() < 0.5) {
      body = mutate(random, sealedSeed, [sealedSeed]);
      headers['content-type'] =
        random() < 0.7 ? 'application/cbor' : MEDIA[pick(random, MEDIA.length)]!;
    } else {
      const seedJson = JSON.stringify(JSON_SEEDS[pick(random, JSON_SEEDS.length)]);
      const text = random() < 0.3 ? seedJson : mutateText(random, seedJson, []);
      body = Buffer.from(text, 'latin1');
      headers['content-type'] =
        random() < 0.7 ? 'application/json' : MEDIA[pick(random, MEDIA.length)]!;
    }
  }
  if (random() < 0.1) headers['idempotency-key'] = 'x'.repeat(pick(random, 400));
  if (random() < 0.05) headers['accept'] = MEDIA[pick(random, MEDIA.length)]!;
  return {
    method,
    path: fill(random, route.path) + query(random),
    headers,
    body: Buffer.from(body).toString('hex'),
  };
}

/** Malformed HTTP: a valid request's bytes, mutated, written to a socket. */
function rawRequest(random: () => number): FuzzRequest {
  const valid = [
    'GET /healthz HTTP/1.1\r\nHost: bank\r\n\r\n',
    'POST /v1/auth/login HTTP/1.1\r\nHost: bank\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    `POST /v1/settlements HTTP/1.1\r\nHost: bank\r\nContent-Type: application/cbor\r\nContent-Length: 4\r\n\r\n\x82\x01\x40\x40`,
    'GET /v1/accounts/me HTTP/1.1\r\nHost: bank\r\nAuthorization: Bearer x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  ];
  const text = mutateText(random, valid[pick(random, valid.length)]!, valid);
  return {
    method: 'RAW',
    path: '',
    headers: {},
    body: '',
    raw: Buffer.from(text, 'latin1').toString('hex'),
  };
}

/** The bank's answer is acceptable: below 500, and an error body in the bank's shape. */
function judge(method: string, status: number, contentType: string, body: Buffer): Verdict {
  if (status >= 500) return `status ${status}: ${body.toString('utf8').slice(0, 200)}`;
  if (method === 'HEAD' && body.length > 0) return 'HEAD answered with a body';
  if (status >= 400 && method !== 'HEAD') {
    if (!contentType.includes('application/json')) return `error ${status} as ${contentType}`;
    try {
      const parsed = errorBody.safeParse(JSON.parse(body.toString('utf8')));
      if (!parsed.success)
        return `error ${status} outside the shape: ${body.toString('utf8').slice(0, 200)}`;
    } catch {
      return `error ${status} not JSON: ${body.toString('utf8').slice(0, 200)}`;
    }
  }
  return null;
}

function send(r: FuzzRequest): Promise<Verdict> {
  return r.raw !== undefined ? sendRaw(r.raw) : sendHttp(r);
}

function sendHttp(r: FuzzRequest): Promise<Verdict> {
  const url = new URL(world.url);
  const body = Buffer.from(r.body, 'hex');
  return new Promise((resolve) => {
    let req;
    try {
      req = httpRequest({
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.path,
        agent,
        headers: { ...r.headers, 'content-length': String(body.length) },
        timeout: HANG_MS,
      });
    } catch {
      // The client itself refuses (an invalid header or path): nothing reached the bank.
      resolve(null);
      return;
    }
    req.on('timeout', () => {
      req.destroy();
      resolve(`hang: no answer in ${HANG_MS} ms`);
    });
    req.on('error', (err) => resolve(`connection error: ${err.message}`));
    req.on('response', (res) => {
      const type = String(res.headers['content-type'] ?? '');
      if (type.includes('text/event-stream')) {
        // A live stream is an answer; close it instead of reading for ever.
        res.destroy();
        resolve(judge(r.method, res.statusCode ?? 0, type, Buffer.alloc(0)));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve(judge(r.method, res.statusCode ?? 0, type, Buffer.concat(chunks))),
      );
      res.on('error', (err) => resolve(`response error: ${err.message}`));
    });
    req.end(body);
  });
}

/** Raw bytes: any answer must be a well-formed 4xx in the bank's shape; a close is fine. */
function sendRaw(hex: string): Promise<Verdict> {
  const url = new URL(world.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      // The server waits for the rest of an incomplete request: not a hang of the bank.
      resolve(null);
    }, 3000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      const head = all.indexOf('\r\n\r\n');
      if (head < 0) return;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(all.toString('latin1'))?.[1] ?? 0);
      const length = Number(
        /content-length: *(\d+)/i.exec(all.subarray(0, head).toString('latin1'))?.[1] ?? 0,
      );
      if (all.length < head + 4 + length) return;
      clearTimeout(timer);
      socket.destroy();
      const type =
        /content-type: *([^\r\n]*)/i.exec(all.subarray(0, head).toString('latin1'))?.[1] ?? '';
      resolve(
        status === 0
          ? 'unreadable status line'
          : judge('RAW', status, type, all.subarray(head + 4, head + 4 + length)),
      );
    });
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(null);
    });
    socket.write(Buffer.from(hex, 'hex'));
  });
}

const regressions = JSON.parse(
  readFileSync(new URL('./regressions/http.json', import.meta.url), 'utf8'),
) as (FuzzRequest & { found: string })[];

describe('every HTTP endpoint under mutated requests', () => {
  it('every request that ever failed is now answered in shape (test/regressions/http.json)', async () => {
    for (const r of regressions) {
      const req = { ...r, headers: { ...r.headers } };
      if (req.headers['authorization'] === 'Bearer <user>')
        req.headers['authorization'] = `Bearer ${userToken}`;
      expect(await send(req), `${r.method} ${r.path} (${r.found})`).toBeNull();
    }
  });

  it(`${REQUESTS} mutated requests: no 5xx, no body outside the shape, no hang (seed printed)`, async () => {
    const random = rng(SEED);
    const failures: (FuzzRequest & { found: string })[] = [];
    let sent = 0;
    let raw = 0;
    const worker = async () => {
      while (sent < REQUESTS) {
        sent++;
        const r = random() < 0.05 ? rawRequest(random) : fuzzRequest(random);
        if (r.raw !== undefined) raw++;
        const verdict = await send(r);
        if (verdict !== null && failures.length < 50) {
          const logged = { ...r, headers: { ...r.headers } };
          if (logged.headers['authorization']?.includes(userToken))
            logged.headers['authorization'] = 'Bearer <user>';
          failures.push({ ...logged, found: verdict });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const fiveHundreds = failures.filter((f) => f.found.startsWith('status 5')).length;
    summary('HTTP endpoint fuzzing', {
      seed: SEED,
      requests: sent,
      rawMalformed: raw,
      routes: ROUTES.length,
      fiveHundreds,
      violations: failures.length,
    });
    expect(world.exits(), 'the bank never exits').toEqual([]);
    // Distinct kinds first: one line each, then the first inputs (they go to http.json when fixed).
    const kinds = [
      ...new Set(
        failures.map((f) => `${f.method} ${f.path.split('?')[0]}: ${f.found.slice(0, 80)}`),
      ),
    ];
    expect(
      failures,
      `${kinds.join('\n')}\n${JSON.stringify(failures.slice(0, 3), null, 1)}`,
    ).toEqual([]);
  });
});

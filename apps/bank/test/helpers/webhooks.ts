/**
 * A real webhook receiver for tests (node:http on loopback): records every request it gets —
 * headers and raw body — and answers with the statuses a test scripts (then 200), and the
 * receiver's side of docs/webhooks.md "Verifying a delivery", written as the docs show it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BankConfig } from '../../src/config.js';

/** Fast webhook timings for tests: 50 ms polls and backoff, 5 attempts, local http allowed. */
export const FAST_WEBHOOKS: NonNullable<BankConfig['webhooks']> = {
  allowLocalHttp: true,
  pollMs: 50,
  timeoutMs: 2000,
  retry: { baseMs: 50, maxMs: 200, maxAttempts: 5 },
  batchSize: 20,
};

/** One request the receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback HTTP server that records requests and answers scripted statuses. */
export class Receiver {
  private constructor(
    private readonly server: Server,
    /** Statuses still to answer, in order; once empty, 200. */
    readonly script: number[],
    /** Every request received, in order. */
    readonly received: Received[],
  ) {}

  static async start(script: number[] = []): Promise<Receiver> {
    const received: Received[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = script.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new Receiver(server, script, received);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The verification docs/webhooks.md gives receivers, in Node: split Offpay-Signature into t and
 * v1, refuse a t more than 5 minutes from now, recompute HMAC-SHA256 over "<t>.<raw body>" with
 * the endpoint's secret and compare in constant time.
 */
export function verifyOffpaySignature(
  rawBody: string,
  header: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(String(parts.v1 ?? ''), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Pure rules of merchant webhooks (docs/webhooks.md): which URLs the bank calls, the event body,
 * and the retry schedule. No pg, no fastify, no I/O; time and randomness are parameters. The
 * signature is webhooks.signature.ts.
 */
import { WEBHOOK_ERROR_MAX_CHARS, type WebhookEventType } from '@offpay/api';
import { bankFail } from '../../errors.js';
import { isBlockedAddress, isIpLiteral } from './webhooks.address.js';

/** Prefix of signing secrets, so that one found in a file is recognisable. */
export const SECRET_PREFIX = 'whsec_';

/** When and how often the worker calls, and for how long it waits. */
export interface RetryPolicy {
  /** Delay after the first failed attempt; each later one is 3 times the one before. */
  baseMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** After this many failed attempts the delivery is `failed` (given up). */
  maxAttempts: number;
}

/** The production schedule: 10 s, 30 s, 90 s, … capped at one hour, 10 attempts (≈ 4 hours). */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 10 };

/**
 * The delay before attempt `attempts + 1`, after `attempts` failed ones (≥ 1): base × 3^(n−1),
 * capped, with ±20 % jitter so that receivers that come back are not hit by every retry at once.
 * `random` is in [0, 1).
 */
export function backoffMs(attempts: number, policy: RetryPolicy, random: number): number {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('attempts must be ≥ 1');
  const plain = Math.min(policy.maxMs, policy.baseMs * 3 ** Math.min(attempts - 1, 30));
  return Math.round(plain * (0.8 + 0.4 * random));
}

/** What to do with a delivery after an attempt. */
export type AttemptVerdict =
  { status: 'delivered' } | { status: 'pending'; delayMs: number } | { status: 'failed' };

/** A 2xx is delivered; anything else is retried until `maxAttempts`, then given up. */
export function judgeAttempt(
  statusCode: number | null,
  attempts: number,
  policy: RetryPolicy,
  random: number,
): AttemptVerdict {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { status: 'delivered' };
  if (attempts >= policy.maxAttempts) return { status: 'failed' };
  return { status: 'pending', delayMs: backoffMs(attempts, policy, random) };
}

/** An error message cut to what the delivery log keeps (one line, bounded). */
export function boundedError(message: string): string {
  const line = message.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim();
  return line.length <= WEBHOOK_ERROR_MAX_CHARS
    ? line
    : `${line.slice(0, WEBHOOK_ERROR_MAX_CHARS - 1)}…`;
}

/** The JSON body of one event, exactly the bytes that are signed and sent. */
export function eventBody(e: {
  id: string;
  type: WebhookEventType;
  createdAt: Date;
  data: unknown;
}): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    createdAt: e.createdAt.toISOString(),
    data: e.data,
  });
}

function isPrivateHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  // WHATWG URL parsing already turned every IPv4 spelling (0x7f.1, 2130706433) into dotted decimal.
  return isIpLiteral(bare) && isBlockedAddress(bare);
}

function refuse(reason: 'format' | 'scheme' | 'credentials' | 'fragment' | 'private'): never {
  const why = {
    format: 'is not a URL',
    scheme: 'must start with https://',
    credentials: 'must not carry a user name or password',
    fragment: 'must not have a #fragment',
    private: 'names a private or loopback address, which the bank does not call',
  }[reason];
  return bankFail('BANK_WEBHOOK_URL_INVALID', `The webhook URL ${why}`, { reason });
}

/**
 * The URL the bank will POST to, normalised. https only, to a public host; with `allowLocalHttp`
 * (WEBHOOK_ALLOW_HTTP, for tests and local development) also http://localhost and 127.0.0.1.
 * IP literals of blocked ranges (webhooks.address.ts) are refused; a name that resolves to one is
 * not called at delivery, when the worker resolves it, and the attempt is retried
 * (docs/webhooks.md "What the bank will not call").
 * @throws BANK_WEBHOOK_URL_INVALID
 */
export function checkWebhookUrl(input: string, allowLocalHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('format');
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.username !== '' || url.password !== '') refuse('credentials');
  if (url.hash !== '' || input.includes('#')) refuse('fragment');
  if (allowLocalHttp && local && (url.protocol === 'http:' || url.protocol === 'https:'))
    return url.toString();
  if (url.protocol !== 'https:') refuse('scheme');
  if (isPrivateHost(url.hostname)) refuse('private');
  return url.toString();
}

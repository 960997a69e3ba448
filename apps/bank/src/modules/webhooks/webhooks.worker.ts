/**
 * Delivers the webhook outbox (docs/webhooks.md "Delivery"): claims due rows (SKIP LOCKED, so
 * instances share the work), POSTs each signed event, and records the attempt — delivered on a
 * 2xx, otherwise retried with backoff until given up. Only Postgres and the receiver take part:
 * Redis being down cannot lose or stall a delivery. At least once: a worker that dies after the
 * receiver answered but before recording it sends the event again (same Offpay-Event-Id).
 */
import type { Database } from '../../db/queryable.js';
import { unixSeconds } from '../../time.js';
import {
  boundedError,
  checkWebhookUrl,
  eventBody,
  judgeAttempt,
  type AttemptVerdict,
  type RetryPolicy,
} from './webhooks.domain.js';
import * as repo from './webhooks.repo.js';
import type { ClaimedDelivery } from './webhooks.repo.js';
import type { WebhookVault } from './webhooks.sealing.js';
import { pinnedPost, resolveChecked, systemResolver, type Resolver } from './webhooks.http.js';
import { signatureHeader } from './webhooks.signature.js';

/** How the worker calls receivers. */
export interface WorkerOptions {
  retry: RetryPolicy;
  /** How long one POST may take (connect, send, answer headers). */
  timeoutMs: number;
  /** Most deliveries claimed (and sent in parallel) per run. */
  batchSize: number;
  /**
   * WEBHOOK_ALLOW_HTTP: checked again before each call (an endpoint may predate a change). It also
   * lets a host resolve to a private or loopback address (tests call servers on 127.0.0.1).
   */
  allowLocalHttp: boolean;
}

/** What the worker reports: for metrics. Every method is optional. */
export interface WorkerObserver {
  attempt?(outcome: 'delivered' | 'retried' | 'failed'): void;
}

/** Dependencies of the delivery worker. */
export interface WorkerDeps {
  db: Database;
  vault: WebhookVault;
  options: WorkerOptions;
  observer?: WorkerObserver;
  /** Wall-clock time for the signature's `t` (receivers compare it with their own clocks). */
  wallClock?: () => Date;
  random?: () => number;
  /** Resolves receivers' host names (the system resolver by default; tests inject their own). */
  resolve?: Resolver;
}

/** The delivery worker: one run claims a batch and attempts each delivery once. */
export interface DeliveryWorker {
  /** Attempts every claimed delivery; resolves with how many were attempted. */
  runOnce(): Promise<number>;
}

interface Answer {
  statusCode: number | null;
  error: string | null;
}

/**
 * The delivery log's words for an attempt whose host resolved to a blocked address (docs/webhooks.md
 * "What the bank will not call"): nothing was sent, and the attempt is retried like any failure.
 */
export const PRIVATE_HOST_ERROR = 'the host resolves to a private address';

/**
 * One POST to the addresses checked for `d.url`'s host: never follows a redirect, never reads the
 * receiver's body. A host that resolves to a blocked address is not called at all.
 */
async function post(d: ClaimedDelivery, secret: string, deps: WorkerDeps): Promise<Answer> {
  const body = eventBody({
    id: d.eventId,
    type: d.type,
    createdAt: d.createdAt,
    data: JSON.parse(d.payloadJson) as unknown,
  });
  const t = unixSeconds((deps.wallClock ?? (() => new Date()))());
  try {
    const url = new URL(d.url);
    const resolve = deps.resolve ?? systemResolver;
    const checked = await resolveChecked(url, resolve, deps.options.allowLocalHttp);
    // Not called, but retried: a merchant's DNS that points somewhere private for a while (a
    // misconfiguration, a moved host) costs attempts, not the event.
    if (!checked.ok && checked.reason === 'private')
      return { statusCode: null, error: PRIVATE_HOST_ERROR };
    if (!checked.ok) return { statusCode: null, error: 'connection failed (ENOTFOUND)' };
    const status = await pinnedPost({
      url,
      addresses: checked.addresses,
      timeoutMs: deps.options.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'offpay-webhooks/1',
        'offpay-event-id': d.eventId,
        'offpay-event-type': d.type,
        'offpay-signature': signatureHeader(secret, t, body),
      },
      body,
    });
    const ok = status >= 200 && status < 300;
    return { statusCode: status, error: ok ? null : `receiver answered ${status}` };
  } catch (err) {
    return { statusCode: null, error: boundedError(describe(err)) };
  }
}

/** Why a request failed, in words that never include the URL's query or the secret. */
function describe(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return 'no answer in time';
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code))
    return `connection failed (${code})`;
  return 'connection failed';
}

/** True when the bank would still register this URL (the configuration may have changed). */
function stillAllowed(url: string, allowLocalHttp: boolean): boolean {
  try {
    checkWebhookUrl(url, allowLocalHttp);
    return true;
  } catch {
    return false;
  }
}

async function call(deps: WorkerDeps, d: ClaimedDelivery): Promise<[Answer, AttemptVerdict]> {
  // A URL the policy no longer allows is given up at once: no retry can change the URL. What its
  // host resolves to can change, so a private answer is a failed attempt like any other (post).
  if (!stillAllowed(d.url, deps.options.allowLocalHttp)) {
    return [{ statusCode: null, error: 'the URL is no longer allowed' }, { status: 'failed' }];
  }
  let answer: Answer;
  try {
    answer = await post(d, deps.vault.open(d.endpointId, d.sealedSecret), deps);
  } catch {
    answer = { statusCode: null, error: 'the signing secret did not open' };
  }
  const random = (deps.random ?? Math.random)();
  return [answer, judgeAttempt(answer.statusCode, d.attempts, deps.options.retry, random)];
}

async function attempt(deps: WorkerDeps, d: ClaimedDelivery): Promise<void> {
  const [answer, verdict] = await call(deps, d);
  const recorded = await repo.recordAttempt(deps.db, {
    seq: d.seq,
    attempts: d.attempts,
    status: verdict.status,
    delayMs: verdict.status === 'pending' ? verdict.delayMs : 0,
    statusCode: answer.statusCode,
    error: answer.error,
  });
  if (recorded) deps.observer?.attempt?.(verdict.status === 'pending' ? 'retried' : verdict.status);
}

/** Builds the delivery worker. */
export function createDeliveryWorker(deps: WorkerDeps): DeliveryWorker {
  const { retry, timeoutMs, batchSize } = deps.options;
  // The lease outlasts one attempt: a row claimed is not taken again while its POST may still run.
  const leaseMs = timeoutMs + Math.max(retry.baseMs, 30_000);
  return {
    async runOnce() {
      const claimed = await repo.claimDue(deps.db, batchSize, leaseMs);
      // One failed recording leaves its row leased (due again later); the others still record.
      const settled = await Promise.allSettled(claimed.map((d) => attempt(deps, d)));
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      return claimed.length;
    },
  };
}

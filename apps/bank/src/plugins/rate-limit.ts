/**
 * Rate limits (DESIGN.md §5, docs/operations.md "Rate limits"): login per client address and
 * email and per client address across emails (password spraying), registration per client
 * address and bank-wide, operator sign-in per client address across emails, enrollment per user,
 * settlement (and ledger handovers), fraud-proof reports and reads of fraud proofs per client
 * address, lost-or-stolen reports per user. Counted with
 * `@fastify/rate-limit` in the key-value stores' {@link Counter} (Redis with REDIS_URL, so every
 * instance shares one count; in-process otherwise). A limited request gets 429 BANK_RATE_LIMITED
 * with `RateLimit-*` and `Retry-After` headers. When Redis fails the limit fails safe: this
 * instance counts in process until Redis answers again (kv/fail-safe-counter.ts), and the
 * failure is counted (offpay_redis_failures_total{role="rate-limit"}).
 *
 * The limiter is attached by an onRoute hook, so the route modules stay as they are; register
 * this plugin before the routes. Settlement is limited in onRequest: before the body is read,
 * let alone decrypted.
 */
import { createHash } from 'node:crypto';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { routes, type RouteSpec } from '@offpay/api';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { DEFAULT_RATE_LIMITS, type BankConfig, type RateLimits } from '../config.js';
import { BankApiError } from '../errors.js';
import { failSafeCounter } from '../kv/fail-safe-counter.js';
import type { Counter } from '../kv/kv.js';
import { createMemoryStores } from '../kv/memory.js';
import { normalizeEmail } from '../modules/auth/auth.domain.js';

/** A group of routes sharing one limit (the `group` label of offpay_rate_limited_total). */
export type RateLimitGroup =
  | 'login'
  | 'loginAddress'
  | 'register'
  | 'registerTotal'
  | 'operatorLogin'
  | 'enrollment'
  | 'settlement'
  | 'fraudProofs'
  | 'fraudReports'
  | 'certificateReports';

interface Rule {
  group: RateLimitGroup;
  /** onRequest runs before the body is read; preHandler after it is parsed and validated. */
  hook: 'onRequest' | 'preHandler';
  key: (request: FastifyRequest) => string;
}

// Emails are hashed: the counters' keys in Redis carry no personal data.
const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);
const emailOf = (body: unknown) =>
  typeof body === 'object' && body !== null && 'email' in body && typeof body.email === 'string'
    ? normalizeEmail(body.email)
    : '';
// Enrollment routes authenticate in onRequest first; the limiter follows, so the user is known.
const enrollment: Rule = {
  group: 'enrollment',
  hook: 'onRequest',
  key: (r) => r.user?.id ?? r.ip,
};

const at = (route: RouteSpec) => `${route.method} ${route.path}`;

/** The limited routes, by "METHOD url"; a route's rules run in this order. */
const RULES: Readonly<Record<string, Rule | readonly Rule[]>> = {
  [at(routes.login)]: [
    // Across emails first, before the body is read: one address trying a password on many
    // accounts (spraying) is held to this however many emails it names.
    { group: 'loginAddress', hook: 'onRequest', key: (r) => r.ip },
    { group: 'login', hook: 'preHandler', key: (r) => `${r.ip}|${digest(emailOf(r.body))}` },
  ],
  // Each registration costs a password hash: per address, and bank-wide so that a flood from
  // many addresses cannot starve logins of CPU. Both before the body is read.
  [at(routes.register)]: [
    { group: 'register', hook: 'onRequest', key: (r) => r.ip },
    { group: 'registerTotal', hook: 'onRequest', key: () => 'all' },
  ],
  // Per address only, whatever the email: guessing across operators' emails counts as one.
  [at(routes.operatorLogin)]: { group: 'operatorLogin', hook: 'onRequest', key: (r) => r.ip },
  [at(routes.enrollmentChallenge)]: enrollment,
  [at(routes.enrollPayer)]: enrollment,
  [at(routes.enrollPayee)]: enrollment,
  [at(routes.settle)]: { group: 'settlement', hook: 'onRequest', key: (r) => r.ip },
  // A handover is signed like a batch and needs no login: counted with settlement.
  [at(routes.ledgerHandover)]: { group: 'settlement', hook: 'onRequest', key: (r) => r.ip },
  // Lost or stolen reports per user (authenticated in onRequest first, like enrollment).
  [at(routes.reportCertificate)]: {
    group: 'certificateReports',
    hook: 'onRequest',
    key: (r) => r.user?.id ?? r.ip,
  },
  // Anyone may report a proof (no login): per address, before the body is read.
  [at(routes.reportFraudProof)]: { group: 'fraudReports', hook: 'onRequest', key: (r) => r.ip },
  // Stored fraud proofs are public: one count per address over both reads.
  [at(routes.fraudProofs)]: { group: 'fraudProofs', hook: 'onRequest', key: (r) => r.ip },
  [at(routes.fraudProof)]: { group: 'fraudProofs', hook: 'onRequest', key: (r) => r.ip },
};

/** The plugin's store: fixed windows in the key-value {@link Counter}. */
function counterStore(counter: Counter): FastifyRateLimitStoreCtor {
  class CounterStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      counter.incr(key, timeWindow).then(
        (r) => callback(null, { current: r.count, ttl: r.resetInMs }),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }
    child(): CounterStore {
      return new CounterStore();
    }
  }
  return CounterStore;
}

/** In-process counters for the Redis fallback, closed with the app. */
function fallbackCounter(app: FastifyInstance): Counter {
  const memory = createMemoryStores();
  app.addHook('onClose', async () => memory.close());
  return memory.counter;
}

type Hook = (request: FastifyRequest, reply: unknown) => Promise<void>;

/** Appends `hook` to the route's own hooks of that kind (after `app.authenticate`, if any). */
function attach(route: RouteOptions, kind: Rule['hook'], hook: Hook): void {
  const existing = route[kind] as Hook | Hook[] | undefined;
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  (route as unknown as Record<string, Hook[]>)[kind] = [...list, hook];
}

/** The limit of a group; an optional one absent from `limits` takes its default. */
function maxOf(limits: RateLimits, group: RateLimitGroup): number {
  return limits[group] ?? DEFAULT_RATE_LIMITS[group];
}

// @fastify/rate-limit marks a request once one of its limiters ran and skips every later one; a
// route with two limits (login per address and per address-and-email) must run both, so the mark
// is cleared after each (abuse-limits.db.test.ts fails if the plugin changes this).
const RAN_MARK = 'fastify.request.rateLimitRan';
function clearRanMark(request: FastifyRequest): void {
  const own = request as unknown as Record<symbol, unknown>;
  for (const symbol of Object.getOwnPropertySymbols(request)) {
    if (symbol.description === RAN_MARK) own[symbol] = false;
  }
}

function limiter(app: FastifyInstance, limits: RateLimits, rule: Rule): Hook {
  const hook = app.rateLimit({
    max: maxOf(limits, rule.group),
    timeWindow: limits.windowSeconds * 1000,
    keyGenerator: (request) => `rl:${rule.group}:${rule.key(request)}`,
    onExceeded: () => app.metrics.rateLimited.inc({ group: rule.group }),
  }) as unknown as Hook;
  return async (request, reply) => {
    try {
      await hook(request, reply);
    } finally {
      clearRanMark(request);
    }
  };
}

export default fp<{ config: BankConfig }>(
  async (app, { config }) => {
    const limits = config.rateLimits ?? DEFAULT_RATE_LIMITS;
    await app.register(rateLimit, {
      global: false,
      // Fails safe: in-process counts while Redis does not answer (see the file's comment).
      store: counterStore(
        app.kv.backend === 'redis'
          ? failSafeCounter(app.kv.counter, fallbackCounter(app))
          : app.kv.counter,
      ),
      // Only a fault of the in-process counter itself could reach this: never refuse for it.
      skipOnError: true,
      enableDraftSpec: true,
      errorResponseBuilder: (_request, context) => {
        // The same figure as the Retry-After header the plugin sets.
        const retryAfterSeconds = Math.ceil(context.ttl / 1000);
        return new BankApiError(
          'BANK_RATE_LIMITED',
          `Too many requests: at most ${context.max} every ${limits.windowSeconds} s. ` +
            `Retry in ${retryAfterSeconds} s.`,
          { limit: context.max, retryAfterSeconds },
        );
      },
    });
    const hooks = new Map<RateLimitGroup, Hook>();
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        const found = RULES[`${method} ${route.url}`];
        const rules: readonly Rule[] = found === undefined ? [] : [found].flat();
        for (const rule of rules) {
          if (maxOf(limits, rule.group) === 0) continue;
          const hook = hooks.get(rule.group) ?? limiter(app, limits, rule);
          hooks.set(rule.group, hook);
          attach(route, rule.hook, hook);
        }
      }
    });
  },
  { name: 'offpay-rate-limit', dependencies: ['offpay-kv', 'offpay-services'] },
);

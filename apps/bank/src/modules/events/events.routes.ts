/**
 * GET /v1/settlements/events — server-sent events of the caller's payees' settlement outcomes.
 * The Bearer token goes in the Authorization header only (a token in a URL ends up in logs and
 * proxies), so browsers read the stream with fetch, not EventSource.
 *
 * A stream lives no longer than the token that opened it: it ends with `event: end` (data
 * `{"reason":"token-expired"}` or `{"reason":"logged-out"}`) when the token expires, and within
 * one heartbeat of "log out everywhere" on any instance (the token version is checked at every
 * heartbeat, from the cache or Postgres — never from Redis alone).
 */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { isBankError } from '../../errors.js';
import { routeOptions } from '../../http/route-schema.js';
import { MAX_TIMER_MS, sseWriter, startSse } from '../../http/sse.js';
import { requireUser } from '../../plugins/auth.js';
import type { TokenEnd } from '../auth/auth.domain.js';
import { JWT_LEEWAY_SECONDS } from '../auth/auth.jwt.js';

/** Options of {@link eventRoutes}. */
export interface EventRoutesOptions {
  /** Seconds between `: heartbeat` comments. */
  heartbeatSeconds: number;
}

/** Live-event routes. */
export const eventRoutes: FastifyPluginCallbackZod<EventRoutesOptions> = (app, options, done) => {
  // Open streams never end by themselves: close them so that app.close() can finish.
  const streams = new Set<() => void>();
  app.addHook('preClose', (next) => {
    for (const close of [...streams]) close();
    next();
  });

  app.route({
    ...routeOptions(app, routes.settlementEvents),
    handler: async (request, reply) => {
      const user = requireUser(request);
      const kids = await app.services.events.followable(user.id, request.query.payeeKid);
      const stream = { close: (): void => undefined };
      const write = sseWriter(reply, () => stream.close());
      const unsubscribe = await app.services.events
        .subscribe(user.id, kids, (data) => write(`event: settlement\ndata: ${data}\n\n`))
        .catch((err: unknown) => {
          if (isBankError(err, 'BANK_RATE_LIMITED')) {
            app.metrics.rateLimited.inc({ group: 'events' });
            void reply.header('retry-after', '5');
          }
          throw err;
        });
      startSse(reply);
      write(`retry: 5000\n: following ${kids.length} payee certificate(s)\n\n`);
      const end = (reason: TokenEnd) => {
        write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
        stream.close();
      };
      // Is the token still good? A check that cannot be answered (Postgres down) keeps the
      // stream and asks again at the next heartbeat.
      const check = () =>
        void app.services.auth.tokenEnded(user).then(
          (reason) => reason && end(reason),
          (err: unknown) => request.log.warn({ err }, 'live events: token check failed'),
        );
      const heartbeat = setInterval(() => {
        write(': heartbeat\n\n');
        check();
      }, options.heartbeatSeconds * 1000);
      const expiresInMs = (user.expiresAt + JWT_LEEWAY_SECONDS) * 1000 - app.now().getTime();
      const expiry = setTimeout(check, Math.min(Math.max(0, expiresInMs), MAX_TIMER_MS));
      const close = () => {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        streams.delete(close);
        void unsubscribe();
        if (!reply.raw.writableEnded) reply.raw.end();
      };
      stream.close = close;
      streams.add(close);
      reply.raw.on('close', close);
      // The client may have gone while we subscribed: then 'close' will not come again.
      if (request.raw.socket.destroyed) close();
      return reply;
    },
  });
  done();
};

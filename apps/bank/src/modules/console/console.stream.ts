/**
 * GET /v1/operator/activity — the console's live activity panel as server-sent events: a
 * snapshot at once, then one every `intervalSeconds` (CONSOLE_ACTIVITY_SECONDS). Modelled on
 * GET /v1/settlements/events: the Bearer token in the Authorization header only (browsers read
 * with fetch), a few streams per operator, and a stream lives no longer than its token — before
 * each snapshot the token is checked again (Postgres, no cache), so it ends with `event: end`
 * within one interval of its expiry or of the operator's logout. Streams close before the app.
 */
import { routes } from '@offpay/api';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { isBankError } from '../../errors.js';
import { routeOptions } from '../../http/route-schema.js';
import { sseWriter, startSse } from '../../http/sse.js';
import { requireOperator } from '../../plugins/auth.js';
import type { TokenEnd } from '../auth/auth.domain.js';
import type { ActivitySnapshot } from './console.activity.js';
import { activityView } from './console.views.js';

/** The token of a request the operator hook already accepted. */
function bearerToken(header: string | undefined): string {
  return /^Bearer ([^\s]+)$/i.exec((header ?? '').trim())?.[1] ?? '';
}

/** The activity stream route. */
export const consoleStreamRoutes: FastifyPluginCallbackZod = (app, _options, done) => {
  // Open streams never end by themselves: close them so that app.close() can finish.
  const streams = new Set<() => void>();
  app.addHook('preClose', (next) => {
    for (const close of [...streams]) close();
    next();
  });

  /** Why the token no longer holds, or null when it does (or cannot be checked now). */
  async function tokenEnded(token: string): Promise<TokenEnd | null> {
    try {
      await app.services.operators.authenticate(token);
      return null;
    } catch (err) {
      if (isBankError(err, 'BANK_TOKEN_EXPIRED')) return 'token-expired';
      if (isBankError(err, 'BANK_TOKEN_REVOKED')) return 'logged-out';
      // Postgres down: keep the stream, ask again at the next snapshot.
      return null;
    }
  }

  app.route({
    ...routeOptions(app, routes.operatorActivity),
    handler: async (request, reply) => {
      const operator = requireOperator(request);
      const token = bearerToken(request.headers.authorization);
      const activity = app.services.console.activity;
      const release = await activity.open(operator).catch((err: unknown) => {
        if (isBankError(err, 'BANK_RATE_LIMITED'))
          void reply.header('retry-after', String(activity.intervalSeconds));
        throw err;
      });
      let closed = false;
      let busy = false;
      let last: ActivitySnapshot | null = null;
      const stream = { close: (): void => undefined };
      const write = sseWriter(reply, () => stream.close());
      startSse(reply);
      write(`retry: 5000\n: activity every ${activity.intervalSeconds} s\n\n`);

      const tick = async (checkToken: boolean) => {
        if (busy || closed) return;
        busy = true;
        try {
          const ended = checkToken ? await tokenEnded(token) : null;
          if (ended) {
            write(`event: end\ndata: ${JSON.stringify({ reason: ended })}\n\n`);
            stream.close();
            return;
          }
          last = await activity.snapshot(last);
          const data = JSON.stringify(activityView(last, activity.intervalSeconds));
          if (!closed) write(`event: activity\ndata: ${data}\n\n`);
        } catch (err) {
          request.log.warn({ err }, 'console activity: snapshot failed');
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(true), activity.intervalSeconds * 1000);
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        streams.delete(close);
        release();
        if (!reply.raw.writableEnded) reply.raw.end();
      };
      stream.close = close;
      streams.add(close);
      reply.raw.on('close', close);
      if (request.raw.socket.destroyed) close();
      void tick(false);
      return reply;
    },
  });
  done();
};

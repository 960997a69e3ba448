/**
 * The built apps served from the bank's own origin (docs/operations.md "One origin"): the wallet
 * at /wallet/, the till at /till/ and the operators' console at /console/, so a phone needs one address, one certificate and no CORS,
 * and each app's default bank is the page's origin (@offpay/app-kit `defaultBankUrl`).
 *
 * Headers: each app's service worker sits at the root of its path, so its scope is that path and
 * no `Service-Worker-Allowed` is needed; the pages, the worker and the manifest are revalidated on
 * every load (`no-cache`) so an update reaches phones, while content-hashed files are immutable.
 * Pages carry a Content-Security-Policy that allows only the page's own scripts and styles and
 * `frame-ancestors 'none'` (no framing: clickjacking of "Pay").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { APP_CSP } from '@offpay/api';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';

/** Where each app is served, and its build folder inside `APPS_DIR`. */
export const APP_MOUNTS = [
  { prefix: '/wallet/', build: join('sender', 'dist') },
  { prefix: '/till/', build: join('receiver', 'dist') },
  // The operators' console: an online tool (no service worker), same policy and headers.
  { prefix: '/console/', build: join('console', 'dist') },
] as const;

/** The pages' policy, shared with the apps' preview server (@offpay/api pages.ts). */
export { APP_CSP };

/** Content-hashed by the build (Vite's assets/, workbox-<hash>.js): never change under a name. */
const IMMUTABLE = /\/(assets\/[^/]+|workbox-[0-9a-f]{8}\.js)$/;

/** Sets the caching and security headers of one file about to be sent. */
export function setAppHeaders(reply: FastifyReply, path: string): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Referrer-Policy', 'no-referrer');
  const immutable = IMMUTABLE.test(path.replaceAll('\\', '/'));
  reply.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (path.endsWith('.html') || path.endsWith('.js')) {
    // A worker's policy comes from its own response; pages get theirs here.
    reply.header('Content-Security-Policy', APP_CSP);
  }
  if (path.endsWith('.html')) {
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Permissions-Policy', 'camera=(self), microphone=(), geolocation=()');
  }
}

/**
 * Registers each app whose build folder exists under `config.appsDir` (files are read per request,
 * so a build finishing after the bank started is served); says which it skipped.
 */
export default fp<{ config: BankConfig }>(
  async (app, { config }) => {
    if (config.appsDir === undefined) return;
    let first = true;
    for (const mount of APP_MOUNTS) {
      const root = join(config.appsDir, mount.build);
      if (!existsSync(root)) {
        app.log.warn({ root }, `no built app in ${root}: ${mount.prefix} is not served`);
        continue;
      }
      await app.register(fastifyStatic, {
        root,
        prefix: mount.prefix,
        index: ['index.html'],
        cacheControl: false,
        setHeaders: setAppHeaders,
        // reply.sendFile is decorated once; the second mount must not decorate again.
        decorateReply: first,
      });
      first = false;
      // /wallet → /wallet/: the page's relative URLs need the slash.
      app.get(mount.prefix.slice(0, -1), { schema: { hide: true } }, (_request, reply) =>
        reply.redirect(mount.prefix, 301),
      );
    }
  },
  { name: 'offpay-apps' },
);

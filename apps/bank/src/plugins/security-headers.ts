/**
 * The usual security headers on every answer of the bank (`@fastify/helmet`; issue #12 item 6):
 * `nosniff`, `no-referrer`, HSTS (ignored by browsers over plain HTTP), `X-Frame-Options: DENY`,
 * cross-origin opener isolation, and a Content-Security-Policy that lets an API answer load and
 * run nothing and be framed by no one. Pages that need more set their own policy on top, which
 * wins over this one: the served apps (plugins/apps.ts `APP_CSP`) and Swagger UI at /docs
 * ({@link DOCS_CSP}). Register this before them.
 */
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/** The API's policy: JSON and event streams need no sources at all. */
export const API_CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Swagger UI's policy: its own scripts and styles only (it styles elements inline, hence
 * 'unsafe-inline' for styles — never for scripts), its bundled images, no framing.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export default fp(
  async (app) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // The apps on other origins (dev servers, CORS_ORIGINS) read the API with CORS; CORP
      // governs only no-cors loads (images, scripts), which the API never serves to others.
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
  },
  { name: 'offpay-security-headers' },
);

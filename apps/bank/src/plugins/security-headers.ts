/**
 * The usual security headers on every answer of the bank (issue #12 item 6): `nosniff`,
 * `no-referrer`, HSTS (ignored by browsers over plain HTTP), `X-Frame-Options: DENY`,
 * cross-origin opener isolation, and a Content-Security-Policy that lets an API answer load and
 * run nothing and be framed by no one. Pages that need more set their own policy on top, which
 * wins over this one: the served apps (plugins/apps.ts `APP_CSP`) and Swagger UI at /docs
 * ({@link DOCS_CSP}). Register this before them.
 *
 * The set is what `@fastify/helmet` (helmet 8's defaults with the options below) sent, written
 * out once: helmet rebuilt its middleware and re-serialised the policy on every request
 * (docs/PERFORMANCE.md "Round 5 (bankcpu)"), for headers that never change.
 */
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

/** The API's policy as a header value (directives joined as helmet joins them). */
export const API_CSP = Object.entries(API_CSP_DIRECTIVES)
  .map(([name, values]) => `${name} ${values.join(' ')}`)
  .join(';');

/** Every header the bank sets on every answer, before any route's own. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': API_CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  // The apps on other origins (dev servers, CORS_ORIGINS) read the API with CORS; CORP
  // governs only no-cors loads (images, scripts), which the API never serves to others.
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
  // Turns off the legacy XSS auditors, which could be abused to leak page contents.
  'X-XSS-Protection': '0',
});

const ENTRIES = Object.entries(SECURITY_HEADERS);

export default fp(
  (app, _options, done) => {
    // On the raw response, as helmet did: a hijacked reply (the live event streams) keeps them,
    // and a route's reply.header() of the same name still wins when the head is written.
    app.addHook('onRequest', (_request, reply, next) => {
      for (const [name, value] of ENTRIES) reply.raw.setHeader(name, value);
      next();
    });
    done();
  },
  { name: 'offpay-security-headers' },
);

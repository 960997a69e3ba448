/**
 * The Content-Security-Policy of the apps' pages, declared once for every server that serves
 * them: the bank (apps/bank plugins/apps.ts, at /wallet/ and /till/) and the apps' own Vite
 * preview server (packages/app-kit vite.ts). Only the page's own scripts and styles run; nothing
 * frames it (`frame-ancestors 'none'`: no clickjacking of "Pay"); it talks to the bank of its own
 * origin, to any HTTPS bank, and to a plain-HTTP bank on this device only — the same rule as the
 * bank address itself (app-kit rules.ts `normalizeBankUrl`). Camera frames never leave the page.
 */

/** The directives, in the order sent. */
export const APP_CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:* http://[::1]:*",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
] as const;

/** The header value of {@link APP_CSP_DIRECTIVES}. */
export const APP_CSP = APP_CSP_DIRECTIVES.join('; ');

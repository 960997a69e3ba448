/**
 * The build of both apps from one description (Node side, for each app's vite.config.ts): the
 * dev and preview servers on the app's port (the bank's CORS list names it), the installable
 * offline PWA (every built file precached, the service worker in control at once), and the page
 * itself — head tags, header, status line and `#app` — so each app's index.html is a stub.
 * vite-plugin-pwa is passed in by the app, where it is installed.
 */
import { APP_CSP, APP_CSP_DIRECTIVES } from '@offpay/api';
import type { HtmlTagDescriptor, Plugin, PluginOption, UserConfig } from 'vite';

/** What differs between the two apps. */
export interface AppSite {
  /** "offpay wallet", "offpay till": the page title, manifest name and header. */
  name: string;
  shortName: string;
  /** One line, for the manifest and the page description. */
  description: string;
  themeColor: string;
  port: number;
}

/** The options given to vite-plugin-pwa's `VitePWA` (a subset of its own type). */
export interface PwaOptions {
  registerType: 'autoUpdate';
  injectRegister: 'auto';
  includeAssets: string[];
  manifest: {
    name: string;
    short_name: string;
    description: string;
    start_url: string;
    scope: string;
    display: 'standalone';
    background_color: string;
    theme_color: string;
    icons: { src: string; sizes: string; type: string }[];
  };
  workbox: {
    globPatterns: string[];
    navigateFallback: string;
    cleanupOutdatedCaches: boolean;
    clientsClaim: boolean;
    skipWaiting: boolean;
  };
}

function pwaOptions(site: AppSite): PwaOptions {
  return {
    registerType: 'autoUpdate',
    injectRegister: 'auto',
    includeAssets: ['icon.svg'],
    manifest: {
      name: site.name,
      short_name: site.shortName,
      description: site.description,
      start_url: '.',
      scope: '.',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: site.themeColor,
      icons: [
        { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      skipWaiting: true,
    },
  };
}

const tag = (
  name: string,
  attrs: Record<string, string>,
  injectTo: HtmlTagDescriptor['injectTo'],
  children?: HtmlTagDescriptor['children'],
): HtmlTagDescriptor => ({ tag: name, attrs, injectTo, ...(children ? { children } : {}) });

/** Fills the stub index.html: head tags first, then the header, status line and `#app`. */
function page(site: AppSite): Plugin {
  const meta = (name: string, content: string) => tag('meta', { name, content }, 'head');
  return {
    name: 'offpay-page',
    transformIndexHtml: () => [
      tag('meta', { charset: 'utf-8' }, 'head-prepend'),
      meta('viewport', 'width=device-width, initial-scale=1, viewport-fit=cover'),
      meta('theme-color', site.themeColor),
      meta('application-name', site.name),
      meta(
        'description',
        `${site.name}: ${site.description.replace(/^./, (c) => c.toLowerCase())}`,
      ),
      tag('link', { rel: 'icon', href: 'icon.svg', type: 'image/svg+xml' }, 'head'),
      tag('link', { rel: 'apple-touch-icon', href: 'icon-192.png' }, 'head'),
      tag('title', {}, 'head', site.name),
      tag('header', { class: 'app-header' }, 'body-prepend', [
        tag('span', { class: 'app-name' }, undefined, site.name),
      ]),
      tag('div', { id: 'bank-status', class: 'bank-status' }, 'body-prepend'),
      tag('main', { id: 'app', tabindex: '-1' }, 'body-prepend'),
    ],
  };
}

/** Where the dev and preview servers find the bank (the embedded bank of `pnpm start`). */
const LOCAL_BANK = 'http://127.0.0.1:8787';

/** The bank's own paths, passed on by the dev and preview servers so the page's origin works. */
const BANK_PATHS = ['/v1', '/readyz', '/healthz'];

/** Headers every page of the apps gets besides its policy (as the bank serves them). */
const PAGE_HEADERS = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
};

/**
 * The dev server's policy: the apps' own, except that Vite injects styles as <style> elements and
 * reloads over a WebSocket. Still no framing and no foreign scripts. Dev only, never built.
 */
export const DEV_CSP = APP_CSP_DIRECTIVES.map((d) => {
  if (d.startsWith('style-src ')) return `${d} 'unsafe-inline'`;
  if (d.startsWith('connect-src ')) return `${d} ws://127.0.0.1:* ws://localhost:*`;
  return d;
}).join('; ');

/** The security headers of the preview server (the build, as phones get it) and the dev server. */
export const PREVIEW_HEADERS = { ...PAGE_HEADERS, 'Content-Security-Policy': APP_CSP };
export const DEV_HEADERS = { ...PAGE_HEADERS, 'Content-Security-Policy': DEV_CSP };

/**
 * The whole Vite configuration of an app; `pwa` is vite-plugin-pwa's `VitePWA`, left out for an
 * online tool that is not installed (the operators' console: no service worker, no manifest).
 * The base is relative: the same build works at any path, e.g. /wallet/ and /till/ of the bank's
 * origin.
 */
export function appConfig(site: AppSite, pwa?: (options: PwaOptions) => PluginOption): UserConfig {
  const proxy = Object.fromEntries(BANK_PATHS.map((path) => [path, LOCAL_BANK]));
  const server = { port: site.port, strictPort: true, host: '127.0.0.1', proxy };
  return {
    base: './',
    // The preview serves the build with the same strict policy as the bank (@offpay/api pages.ts).
    server: { ...server, headers: DEV_HEADERS },
    preview: { ...server, headers: PREVIEW_HEADERS },
    build: { target: 'es2022', sourcemap: true },
    plugins: pwa ? [page(site), pwa(pwaOptions(site))] : [page(site)],
  };
}

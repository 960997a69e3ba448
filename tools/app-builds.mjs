// @ts-check
/**
 * Which app builds are stale: a SHA-256 over every source file an app's build reads (the app, the
 * workspace packages it bundles, the lockfile) is compared with the one written beside its last
 * build, so `pnpm start` rebuilds only an app whose sources changed (issue #14 item 4).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders never part of a build's input. */
const SKIP = new Set(['node_modules', 'dist', 'test', 'coverage', '.turbo', '.data']);

/** The stamp file inside an app's dist/ (a dotfile: the bank does not serve it). */
export const STAMP = '.offpay-build';

/** The apps `pnpm start` builds and the bank serves: the wallet, the till and the console. */
export const APPS = /** @type {const} */ (['sender', 'receiver', 'console']);

/** @typedef {(typeof APPS)[number]} AppName */

/**
 * The file a finished build of `app` always has: the PWAs' service worker; the console (no
 * worker: an online tool) its page.
 * @param {AppName} app
 */
function builtMarker(app) {
  return app === 'console' ? 'index.html' : 'sw.js';
}

/** What every app's build reads besides its own folder. */
const SHARED = ['packages/app-kit', 'packages/api', 'packages/protocol', 'packages/crypto'];

/**
 * Every file under `dir` that a build may read, as paths relative to `root`, sorted.
 * @param {string} root
 * @param {string} dir
 * @returns {string[]}
 */
function files(root, dir) {
  /** @type {string[]} */
  const found = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...files(root, path));
    else if (entry.isFile()) found.push(path);
  }
  return found.sort();
}

/**
 * The content hash of app `app`'s sources (names and bytes of each file, in order).
 * @param {string} root the repository
 * @param {AppName} app
 * @param {NodeJS.ProcessEnv} [env] the build's environment (VITE_BANK_URL is built in)
 * @returns {string} hex SHA-256
 */
export function sourceHash(root, app, env = process.env) {
  const hash = createHash('sha256');
  hash.update(`VITE_BANK_URL=${env['VITE_BANK_URL'] ?? ''}\0`);
  const paths = [`apps/${app}`, ...SHARED].flatMap((dir) => files(root, dir));
  for (const path of [...paths, 'pnpm-lock.yaml']) {
    const rel = relative(root, join(root, path));
    hash.update(`${rel}\0${readFileSync(join(root, path)).length}\0`);
    hash.update(readFileSync(join(root, path)));
  }
  return hash.digest('hex');
}

/**
 * True when `app`'s last build was made from the sources as they are now.
 * @param {string} root
 * @param {AppName} app
 * @param {string} hash from {@link sourceHash}
 */
export function buildIsCurrent(root, app, hash) {
  const stamp = join(root, 'apps', app, 'dist', STAMP);
  return (
    existsSync(join(root, 'apps', app, 'dist', builtMarker(app))) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8').trim() === hash
  );
}

/**
 * Records that `app`'s build in dist/ was made from sources with `hash`.
 * @param {string} root
 * @param {AppName} app
 * @param {string} hash
 */
export function stampBuild(root, app, hash) {
  writeFileSync(join(root, 'apps', app, 'dist', STAMP), `${hash}\n`);
}

// `node tools/app-builds.mjs stamp <app>`: each app's `build` script stamps its fresh build, so a
// build by turbo or CI counts for `pnpm start` too.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'stamp') {
  const app = APPS.find((name) => name === process.argv[3]);
  if (!app) throw new Error(`usage: stamp ${APPS.join('|')}`);
  const root = fileURLToPath(new URL('..', import.meta.url));
  stampBuild(root, app, sourceHash(root, app));
}

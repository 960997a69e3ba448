/**
 * `pnpm --filter @offpay/bank build`: the bank as plain JavaScript for production (no tsx at run
 * time). esbuild bundles the bank with the workspace packages it imports (@offpay/api, protocol,
 * crypto: TypeScript sources) and their own dependencies; the bank's npm dependencies stay
 * external and come from node_modules (PGlite's WebAssembly, Swagger UI's files, pino's workers).
 *
 * Output in dist/bin/: server.js and the verify pool's worker.js beside it (the pool loads
 * `./worker.js` next to itself). dist/bin/ is two levels under apps/bank, as src/db/ is, so the
 * migrations folder (`../../migrations/` from the module) resolves the same built or not.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const BANK = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(`${BANK}package.json`, 'utf8')) as {
  dependencies: Record<string, string>;
};
/** The bank's own npm dependencies (installed in production); workspace packages are bundled. */
const external = Object.entries(manifest.dependencies)
  .filter(([, version]) => !version.startsWith('workspace:'))
  .map(([name]) => name);

await build({
  absWorkingDir: BANK,
  entryPoints: {
    server: 'src/server.ts',
    worker: 'src/modules/settlement/verify/worker.ts',
  },
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  // A CommonJS module bundled into ESM may still call require (of Node built-ins).
  banner: {
    js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log('apps/bank/dist/bin: server.js, worker.js');

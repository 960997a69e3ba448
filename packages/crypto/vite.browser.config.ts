/**
 * Browser build check: bundles src/index.ts as an ES library for the browser. Any import of a
 * Node built-in (`node:*` or a bare name such as `crypto`) fails the build instead of being
 * silently replaced by Vite's empty `__vite-browser-external` stub.
 */
import { builtinModules } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

const NODE_BUILTINS = new Set(builtinModules);

/** True for `node:*` specifiers and bare Node built-in names (`fs`, `crypto/promises`, …). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0] ?? '');
}

/** A Vite plugin that turns any import of a Node built-in into a build error. */
export function forbidNodeBuiltins(): Plugin {
  return {
    name: 'offpay:forbid-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      if (isNodeBuiltin(source)) {
        this.error(
          `Node built-in "${source}" imported by ${importer ?? 'the entry'}: not browser-safe`,
        );
      }
      return null;
    },
  };
}

export default defineConfig({
  plugins: [forbidNodeBuiltins()],
  build: {
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: 'offpay-crypto' },
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    rolldownOptions: { platform: 'browser' },
  },
});

/**
 * The package must run unchanged in browsers (STYLE.md "Layout": crypto has no Node built-ins).
 * Two checks: a scan of every import specifier in src/, and a real browser build with Vite whose
 * guard plugin turns a Node built-in import into a build error.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { forbidNodeBuiltins, isNodeBuiltin } from '../vite.browser.config.js';

const srcDir = new URL('../src/', import.meta.url);
const packageRoot = new URL('../', import.meta.url).pathname;

/**
 * Every module specifier in `import`/`export … from`, side-effect imports, `import()` and
 * `require()`, outside comments (TSDoc examples import the package by name).
 */
function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...code.matchAll(pattern)].map((m) => m[1]!);
}

function isForbidden(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

describe('no Node built-ins in src/', () => {
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.ts'));
  const imports = files.flatMap((file) =>
    importSpecifiers(readFileSync(new URL(file, srcDir), 'utf8')).map((spec) => ({ file, spec })),
  );

  it('the scanner finds imports of every syntax and flags Node built-ins', () => {
    const sample = [
      "import { readFileSync } from 'node:fs';",
      'import type { X } from "crypto";',
      "export { y } from './y.js';",
      "import 'buffer';",
      "const z = await import('os');",
      "const w = require('path/posix');",
      'import {\n  a,\n  b,\n} from "@noble/hashes/sha2.js";',
      "/** @example import { seal } from '@offpay/crypto'; */",
      "// import { x } from 'commented-out';",
    ].join('\n');
    const found = importSpecifiers(sample);
    expect(found).toEqual([
      'node:fs',
      'crypto',
      './y.js',
      'buffer',
      'os',
      'path/posix',
      '@noble/hashes/sha2.js',
    ]);
    expect(found.filter(isForbidden)).toEqual(['node:fs', 'crypto', 'buffer', 'os', 'path/posix']);
  });

  it('scans every source file and finds the package entry and its imports', () => {
    expect(files).toContain('index.ts');
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(imports.length).toBeGreaterThan(20);
  });

  it('imports only relative modules and @noble/*, never a Node built-in', () => {
    expect(imports.filter(({ spec }) => isForbidden(spec))).toEqual([]);
    expect(
      imports.filter(({ spec }) => !spec.startsWith('./') && !spec.startsWith('@noble/')),
    ).toEqual([]);
  });
});

describe('browser build (vite.browser.config.ts)', () => {
  /** Builds `entry` for the browser in memory with only the guard plugin. */
  async function buildEntry(entry: string) {
    const result = await build({
      configFile: false,
      root: packageRoot,
      logLevel: 'silent',
      plugins: [forbidNodeBuiltins()],
      build: {
        write: false,
        minify: false,
        lib: { entry, formats: ['es'], fileName: 'check' },
        rolldownOptions: { platform: 'browser' },
      },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
    return outputs.flatMap((o) => o.output).map((chunk) => ('code' in chunk ? chunk.code : ''));
  }

  it('bundles src/index.ts with no Node built-in and no browser-external stub', async () => {
    const code = (await buildEntry('src/index.ts')).join('\n');
    expect(code).toContain('function seal');
    expect(code).not.toContain('__vite-browser-external');
    expect(code).not.toMatch(/\brequire\(/);
  }, 30_000);

  it.each(["import { createHash } from 'node:crypto'", "import { createHash } from 'crypto'"])(
    'fails the build for an entry that does %s',
    async (statement) => {
      const dir = mkdtempSync(join(tmpdir(), 'offpay-browser-check-'));
      try {
        const entry = join(dir, 'entry.ts');
        writeFileSync(entry, `${statement};\nexport const h = createHash;\n`);
        await expect(buildEntry(entry)).rejects.toThrow(/Node built-in/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it('isNodeBuiltin recognises prefixed, bare and sub-path built-ins only', () => {
    expect(['node:fs', 'fs', 'crypto', 'fs/promises', 'stream/web'].every(isNodeBuiltin)).toBe(
      true,
    );
    expect(['@noble/curves/nist.js', './bytes.js', 'vite'].some(isNodeBuiltin)).toBe(false);
  });
});

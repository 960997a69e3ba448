/**
 * The layers of the workspace, checked on every `pnpm test` (`pnpm deps`, STYLE.md "Layout and
 * direction"):
 *
 *   apps/sender, apps/receiver, apps/console → packages/app-kit → packages/api / packages/protocol → packages/crypto
 *   apps/bank                  →                   packages/api / packages/protocol → packages/crypto
 *
 * Nothing imports an app (its own tests aside; e2e/ drives the apps and may); `*.domain.ts`
 * imports no driver; browser code imports no Node built-in; and no import cycle anywhere —
 * sources, tests, benches and scripts, type-only imports included. Run on the whole workspace:
 * `pnpm deps`; the fixture test (tools/test/deps.test.mjs) proves a cycle and a layer breach fail.
 */

/** Node built-ins for I/O: never in pure rules (`*.domain.ts`). */
const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'tls',
  'dgram',
  'dns',
  'http',
  'https',
  'http2',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'process',
];

/** Drivers: a database, a cache, the HTTP server. */
const DRIVERS = [
  'pg',
  'ioredis',
  'fastify',
  '@fastify/[^/]+',
  '@electric-sql/pglite',
  'fastify-plugin',
];

/** Node built-ins named in `names`, with and without the `node:` prefix. */
const builtins = (names) => `^(node:)?(${names.join('|')})$`;
/** npm packages named in `names`, wherever pnpm keeps them (or by name, when unresolved). */
const packages = (names) => `(^|/node_modules/)(${names.join('|')})(/|$)`;

/** Browser code: the packages and the two PWAs' sources (app-kit's vite.ts is build time, Node). */
const BROWSER = '^(packages/(crypto|protocol|api|app-kit)/src|apps/(sender|receiver|console)/src)/';

/** `from` may import only the workspace packages named in `allowed`. */
function layer(name, from, allowed, comment) {
  const others = ['crypto', 'protocol', 'api', 'app-kit'].filter((p) => !allowed.includes(p));
  return {
    name,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: `^packages/(${others.join('|')})/` },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere: a module is understood before the modules it imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer(
      'crypto-is-the-base',
      '^packages/crypto/',
      ['crypto'],
      'crypto: @noble only, no workspace package',
    ),
    layer(
      'protocol-on-crypto',
      '^packages/protocol/',
      ['crypto', 'protocol'],
      'protocol builds on crypto only',
    ),
    layer(
      'api-on-protocol',
      '^packages/api/',
      ['crypto', 'protocol', 'api'],
      'the HTTP contract builds on protocol and crypto only',
    ),
    layer(
      'app-kit-on-api-protocol',
      '^packages/app-kit/',
      ['crypto', 'protocol', 'api', 'app-kit'],
      'the device core builds on api, protocol and crypto',
    ),
    layer(
      'proof-is-a-client',
      '^proof/',
      ['crypto', 'protocol', 'api'],
      'the proof suite talks to the bank as a client does: api, protocol and crypto only',
    ),
    layer(
      'bank-without-device-core',
      '^apps/bank/',
      ['crypto', 'protocol', 'api'],
      'the bank builds on api, protocol and crypto; the device core is for the PWAs',
    ),
    {
      name: 'nothing-imports-an-app',
      comment:
        'An app is the top of the stack: only its own files import it (e2e/ drives the apps, and may).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'packages-import-no-app',
      comment:
        'A package, a workspace tool or the proof suite (black-box: it spawns the bank) never imports an app.',
      severity: 'error',
      from: { path: '^(packages|tools|proof)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-imports-no-driver',
      comment:
        '*.domain.ts holds pure rules: time and ids are parameters; no database, cache, server or I/O.',
      severity: 'error',
      from: { path: '\\.domain\\.ts$' },
      to: { path: [packages(DRIVERS), builtins(NODE_IO)] },
    },
    {
      name: 'domain-imports-no-driver-module',
      comment: '*.domain.ts imports no repo, service, route or plugin (they reach the drivers).',
      severity: 'error',
      from: { path: '\\.domain\\.ts$' },
      to: {
        path: '(\\.(repo|service|routes)\\.ts|/plugins/[^/]+\\.ts|/db/[^/]+\\.ts|/kv/[^/]+\\.ts)$',
      },
    },
    {
      name: 'browser-code-no-node-builtins',
      comment: 'The packages and the PWAs run in browsers: no Node built-in.',
      severity: 'error',
      from: { path: BROWSER },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves (a typo in a path would otherwise hide a dependency).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // tools/test/fixtures/ breaks every rule on purpose (tools/test/deps.test.mjs).
    exclude: { path: '(^|/)(dist|coverage|\\.turbo)/|^tools/test/fixtures/' },
    // Type-only imports count: a cycle through types is still a cycle for the reader.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

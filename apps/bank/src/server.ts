/**
 * Starts the bank: build, listen, close gracefully on SIGINT/SIGTERM. Nothing else.
 * `--check`: build (configuration, database and migrations, keys) and exit 0 without listening —
 * what CI runs against the compiled bank (apps/bank/scripts/build.ts).
 */
import { readFile } from 'node:fs/promises';
import { buildApp } from './app.js';
import { loadConfig, type BankConfig } from './config.js';

const SHUTDOWN_GRACE_MS = 10_000;

let config: BankConfig;
try {
  config = loadConfig();
} catch (err) {
  // Before a logger exists: one clear message (it names variables, never their values).
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
const https = config.tls && {
  cert: await readFile(config.tls.certFile),
  key: await readFile(config.tls.keyFile),
};
const app = await buildApp(config, https ? { https } : {});

if (process.argv.includes('--check')) {
  await app.ready();
  app.log.info('check passed: configuration, database, migrations and keys are in order');
  await app.close();
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'shutting down');
    // In-flight requests finish; a stuck one must not keep the process alive for ever.
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  app.log.fatal({ err }, 'could not start');
  await app.close().catch(() => undefined);
  process.exit(1);
}

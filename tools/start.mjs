// @ts-check
/**
 * `pnpm start`: builds whichever app changed since its last build (a content hash of its sources,
 * tools/app-builds.mjs), then runs the bank on its embedded defaults serving the builds from its
 * own origin: http://127.0.0.1:8787/wallet/, /till/ and the operators' console at /console/
 * (docs/operations.md "One origin"), and says how the demo operator signs in.
 * `pnpm start --lan`: the same over HTTPS on the machine's LAN address, with a local certificate
 * authority (tools/lan.mjs), a QR code of each URL and how to trust the CA on a phone.
 *
 * Ctrl-C stops everything and says so in one line: the processes run without a pnpm or turbo
 * wrapper each, which would report the interrupt as a failed command (`ELIFECYCLE`), and this
 * script exits 0 once they have stopped (the root script `exec`s it, so pnpm reports nothing).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { APPS, buildIsCurrent, sourceHash, stampBuild } from './app-builds.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITE = ['--configLoader', 'runner'];
const LAN = process.argv.includes('--lan');
const LAN_PORT = Number(process.env['OFFPAY_LAN_PORT'] ?? 8443);
/** Plain HTTP, for the CA certificate only: a phone cannot open HTTPS before it trusts the CA. */
const CA_PORT = Number(process.env['OFFPAY_LAN_CA_PORT'] ?? 8444);
const startedAt = Date.now();

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
let stopping = false;

/**
 * Writes each line of `chunk` prefixed with `name`.
 * @param {string} name
 * @param {NodeJS.WritableStream} out
 */
function prefixed(name, out) {
  let rest = '';
  return (/** @type {Buffer} */ chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) out.write(`${name}: ${line}\n`);
  };
}

/**
 * Runs `bin` (from `dir`'s node_modules) in `dir`; resolves with its exit code.
 * @param {string} name
 * @param {string} dir
 * @param {string} bin
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env] added to this process's environment
 * @returns {Promise<number>}
 */
function run(name, dir, bin, args, env = {}) {
  const child = spawn(join(ROOT, dir, 'node_modules', '.bin', bin), args, {
    cwd: join(ROOT, dir),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0', ...env },
  });
  running.add(child);
  child.stdout?.on('data', prefixed(name, process.stdout));
  child.stderr?.on('data', prefixed(name, process.stderr));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/**
 * Stops everything still running; resolves once all have exited.
 * @param {'SIGINT' | 'SIGTERM'} signal what this script was sent
 */
async function stopAll(signal) {
  stopping = true;
  // From a terminal every process already got the SIGINT; a lone signal to this script is passed on.
  const pass = setTimeout(
    () => running.forEach((c) => c.kill('SIGTERM')),
    signal === 'SIGINT' ? 2000 : 0,
  );
  while (running.size > 0) await new Promise((r) => setTimeout(r, 50));
  clearTimeout(pass);
}

// `pnpm start` passes the terminal's Ctrl-C on as a second SIGINT: every signal is handled.
let stopped = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    if (stopped) return;
    stopped = true;
    void stopAll(signal).then(() => {
      console.log('\noffpay stopped: the bank, the wallet, the till and the console.');
      process.exit(0);
    });
  });
}

/** Builds each app whose sources changed since its last build; false if a build failed. */
async function buildChangedApps() {
  const apps = APPS;
  const hashes = apps.map((app) => sourceHash(ROOT, app));
  const stale = apps.filter((app, i) => !buildIsCurrent(ROOT, app, hashes[i] ?? ''));
  if (stale.length === 0) console.log('offpay: every app is built from the current sources');
  const codes = await Promise.all(
    stale.map(async (app) => {
      const code = await run(app, `apps/${app}`, 'vite', ['build', ...VITE]);
      if (code === 0) stampBuild(ROOT, app, hashes[apps.indexOf(app)] ?? '');
      return code;
    }),
  );
  return codes.every((code) => code === 0);
}

/**
 * Resolves once `url`/readyz answers 200 (trusting `ca` for HTTPS), or rejects after 120 s.
 * @param {string} url
 * @param {Buffer | undefined} ca
 */
async function waitReady(url, ca) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !stopping) {
    const ok = await new Promise((resolve) => {
      const done = (/** @type {boolean} */ v) => resolve(v);
      if (ca) {
        httpsRequest(`${url}/readyz`, { ca }, (res) => (res.resume(), done(res.statusCode === 200)))
          .on('error', () => done(false))
          .end();
      } else {
        fetch(`${url}/readyz`).then(
          (r) => done(r.ok),
          () => done(false),
        );
      }
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!stopping) throw new Error(`the bank at ${url} did not become ready`);
}

/** The LAN setup: certificates, the bank's environment, and what to print once ready. */
async function lanSetup() {
  const { lanAddress, lanCertificates, trustSteps } = await import('./lan.mjs');
  const address = lanAddress(process.env['OFFPAY_LAN_ADDRESS']);
  if (!address) throw new Error('offpay --lan: no LAN address found (set OFFPAY_LAN_ADDRESS)');
  const certs = await lanCertificates(
    process.env['OFFPAY_LAN_DIR'] ?? join(ROOT, '.data', 'lan'),
    address,
  );
  const origin = `https://${address}:${LAN_PORT}`;
  const caUrl = `http://${address}:${CA_PORT}/offpay-ca.crt`;
  const caPem = readFileSync(certs.caCertFile);
  // The CA certificate only — never its key — to anyone on the network who asks.
  const caServer = createServer((req, res) => {
    res.writeHead(200, {
      'content-type': 'application/x-x509-ca-cert',
      'content-disposition': 'attachment; filename="offpay-ca.crt"',
    });
    res.end(caPem);
  }).listen(CA_PORT, '0.0.0.0');
  caServer.unref();
  if (certs.caCreated) console.log(`offpay: created a local CA in .data/lan/ (git-ignored)`);
  return {
    origin,
    ca: caPem,
    env: {
      HOST: '0.0.0.0',
      PORT: String(LAN_PORT),
      PUBLIC_BASE_URL: origin,
      TLS_CERT_FILE: certs.certFile,
      TLS_KEY_FILE: certs.keyFile,
    },
    /** Printed once ready: URLs, QR codes, the CA's download and trust steps. */
    async banner() {
      const lines = [];
      for (const [name, url] of [
        ['wallet', `${origin}/wallet/`],
        ['till', `${origin}/till/`],
        ['console', `${origin}/console/`],
      ]) {
        lines.push(
          `${name}: ${url}`,
          await QRCode.toString(url, { type: 'terminal', small: true }),
        );
      }
      lines.push(`bank: ${origin}`, `CA certificate: ${caUrl}`);
      lines.push(await QRCode.toString(caUrl, { type: 'terminal', small: true }));
      return [...lines, ...trustSteps(caUrl)].join('\n');
    },
  };
}

const lan = LAN ? await lanSetup() : undefined;
// The bank starts while the apps build (it reads their files per request): a first start takes
// the longer of the two, not their sum.
for (const app of APPS) mkdirSync(join(ROOT, 'apps', app, 'dist'), { recursive: true });
const local = `http://127.0.0.1:${process.env['PORT'] ?? 8787}`;
const bank = run('bank', 'apps/bank', 'tsx', ['src/server.ts'], {
  // The builds in apps/{sender,receiver,console}/dist, at /wallet/, /till/ and /console/.
  APPS_DIR: join(ROOT, 'apps'),
  ...lan?.env,
});
const origin = lan?.origin ?? local;
// A process that ends on its own (a port in use, a crash) ends the others: nothing half runs.
void bank.then(async () => {
  if (stopping) return;
  console.error('offpay: the bank stopped.');
  await stopAll('SIGTERM');
  process.exit(1);
});
const [built] = await Promise.all([buildChangedApps(), waitReady(origin, lan?.ca)]).catch(
  async (/** @type {unknown} */ err) => {
    console.error(`offpay: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll('SIGTERM');
    process.exit(1);
  },
);
if (stopping) await new Promise(() => undefined); // the signal handler exits
if (!built) {
  console.error('offpay: an app did not build; stopping the bank.');
  await stopAll('SIGTERM');
  process.exit(1);
}
const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
console.log(
  lan
    ? await lan.banner()
    : `offpay: wallet ${origin}/wallet/, till ${origin}/till/, bank ${origin} (Ctrl-C stops)`,
);
// The demo operator exists on the embedded default only (never with DATABASE_URL).
console.log(
  process.env['DATABASE_URL']
    ? `offpay: operators' console ${origin}/console/`
    : `offpay: operators' console ${origin}/console/ — demo operator operator@example.com, ` +
        'password operator-demo-password, code from `pnpm totp:demo`',
);
console.log(`offpay: ready in ${seconds} s`);

// @ts-check
/**
 * `pnpm start`: builds both apps, then runs the bank on its embedded defaults and serves the two
 * builds with `vite preview`, each process's output prefixed with its name. Ctrl-C stops all
 * three and says so in one line: the processes run without a pnpm or turbo wrapper each, which
 * would report the interrupt as a failed command (`ELIFECYCLE`), and this script exits 0 once
 * they have stopped (the root script `exec`s it, so pnpm reports nothing either).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITE = ['--configLoader', 'runner'];

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
 * @returns {Promise<number>}
 */
function run(name, dir, bin, args) {
  const child = spawn(join(ROOT, dir, 'node_modules', '.bin', bin), args, {
    cwd: join(ROOT, dir),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
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
      console.log('\noffpay stopped: the bank, the wallet and the till.');
      process.exit(0);
    });
  });
}

const built = await Promise.all(
  ['sender', 'receiver'].map((app) => run(app, `apps/${app}`, 'vite', ['build', ...VITE])),
);
if (stopping) await new Promise(() => undefined); // the signal handler exits
if (built.some((code) => code !== 0)) process.exit(1);

const servers = [
  run('bank', 'apps/bank', 'tsx', ['src/server.ts']),
  run('sender', 'apps/sender', 'vite', ['preview', ...VITE]),
  run('receiver', 'apps/receiver', 'vite', ['preview', ...VITE]),
];
console.log(
  'offpay: wallet http://127.0.0.1:5173, till http://127.0.0.1:5174, bank http://127.0.0.1:8787 (Ctrl-C stops)',
);
// A process that ends on its own (a port in use, a crash) ends the others: nothing half runs.
await Promise.race(servers);
if (!stopping) {
  console.error('offpay: a process stopped; stopping the others.');
  await stopAll('SIGTERM');
  process.exit(1);
}

/**
 * The settlement API under load (issue #5 "Benchmarks"): autocannon with 50 connections, each
 * request a distinct, valid sealed batch of 10 payments. Every connection settles its own payee's
 * chain in order (one request at a time), so no request waits on another's head. First one bank
 * instance (`tsx src/server.ts`), then two on two ports sharing Postgres, 25 connections each.
 *
 * Run: `pnpm bench` (DATABASE_URL or the local offpay_test database; its own schema, dropped).
 * `BENCH_LOAD_REQUESTS` sets the requests per connection (default 20); `BENCH_REDIS_URL` runs the
 * banks with Redis (default: none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { TEST_KEK_SECRET } from '../test/helpers/app.js';
import { World, type PayeeDevice } from '../test/helpers/world.js';
import { benchConfig, fmt, machineInfo, nativePayer, pay, sealBatch } from './fixtures.js';

const CONNECTIONS = 50;
const REQUESTS_PER_CONNECTION = Number(process.env.BENCH_LOAD_REQUESTS ?? 20);
/** Issue #14 item 2: per scenario, at least this many requests/s with p99 at most P99_TARGET ms. */
const RPS_TARGET = 600;
const P99_TARGET = 250;
const PAYMENTS_PER_BATCH = 10;
const BANK_DIR = fileURLToPath(new URL('..', import.meta.url));

/** One connection's batches, in chain order. */
type Queue = Uint8Array[];

/** Enrolls a payee and its payer, and seals the payee's next `count` batches of 10. */
async function queueFor(world: World, kem: Uint8Array, count: number): Promise<Queue> {
  const payee: PayeeDevice = await world.payee();
  const payer = nativePayer(await world.payer(10_000_000n));
  let head = payee.settled;
  return Array.from({ length: count }, () => {
    const payments = Array.from({ length: PAYMENTS_PER_BATCH }, () =>
      pay(payer, payee, 5, world.now),
    );
    const batch = sealBatch(payee, head, payments, kem);
    head = batch.next;
    return batch.sealed;
  });
}

/** Starts `tsx src/server.ts` on `port` against the benchmark schema; resolves when ready. */
async function startBank(url: string, port: number): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server.ts'], {
    cwd: BANK_DIR,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      DATABASE_URL: url,
      BANK_KEY_ENCRYPTION_SECRET: TEST_KEK_SECRET,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEMO_SEED: 'false',
      RELEASE_INTERVAL_SECONDS: '0',
      RATE_LIMIT_SETTLEMENT: '0', // no limit (docs/operations.md)
      // BENCH_REDIS_URL: the same run with Redis's fast paths (result cache, payee lock, pub/sub).
      REDIS_URL: process.env.BENCH_REDIS_URL ?? '',
    },
  });
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`bank on port ${port} exited`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`bank on port ${port} did not become ready`);
}

async function stopBank(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** autocannon against one bank: each connection takes one queue and sends it in order. */
function load(port: number, queues: Queue[]): Promise<autocannon.Result> {
  const requests = Array.from({ length: REQUESTS_PER_CONNECTION }, (_, k) => ({
    method: 'POST' as const,
    path: '/v1/settlements',
    headers: { 'content-type': 'application/cbor' },
    // The context lives as long as the connection goes through this list once.
    setupRequest: (req: autocannon.Request, context: { queue?: Queue }) => {
      context.queue ??= queues.shift();
      if (!context.queue) throw new Error('more connections than queues');
      return { ...req, body: Buffer.from(context.queue[k]!) };
    },
  }));
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: queues.length,
    pipelining: 1,
    maxConnectionRequests: REQUESTS_PER_CONNECTION,
    duration: 600, // a bound only: the run ends when every connection has sent its batches
    timeout: 30,
    // autocannon ends a run at its next sample tick: every 1 s by default, which rounded each
    // run's duration up to a whole second (9.0, 10.0, 11.0 s) and its requests/s down by up to 10 %.
    sampleInt: 50,
    requests,
  });
}

/** The bank process's CPU seconds so far (user + system), from its /metrics. */
async function cpuSeconds(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^offpay_bank_process_cpu_seconds_total (\S+)$/m.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Mean seconds per batch of each settlement phase, from the bank's own /metrics. */
async function phases(port: number): Promise<Record<string, { sum: number; count: number }>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, { sum: number; count: number }> = {};
  for (const m of text.matchAll(
    /^offpay_settlement_phase_seconds_(sum|count)\{phase="(\w+)"\} (\S+)$/gm,
  )) {
    const entry = (out[m[2]!] ??= { sum: 0, count: 0 });
    entry[m[1] as 'sum' | 'count'] = Number(m[3]);
  }
  return out;
}

interface Row {
  name: string;
  phases: Record<string, number>;
  connections: number;
  ok: number;
  bad: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU ms of the bank processes per request (main thread, workers and GC). */
  cpuMs: number;
}

function row(
  name: string,
  results: autocannon.Result[],
  measured: Record<string, { sum: number; count: number }>[],
  cpu: number,
): Row {
  const phaseMs: Record<string, number> = {};
  for (const phase of ['open', 'verify', 'transaction']) {
    const sum = measured.reduce((a, m) => a + (m[phase]?.sum ?? 0), 0);
    const count = measured.reduce((a, m) => a + (m[phase]?.count ?? 0), 0);
    phaseMs[phase] = count ? (1000 * sum) / count : 0;
  }
  return {
    name,
    phases: phaseMs,
    connections: results.reduce((a, r) => a + r.connections, 0),
    ok: results.reduce((a, r) => a + r['2xx'], 0),
    bad: results.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0),
    seconds: Math.max(...results.map((r) => r.duration)),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    cpuMs:
      (1000 * cpu) /
      Math.max(
        1,
        results.reduce((a, r) => a + r['2xx'], 0),
      ),
  };
}

async function scenario(world: World, name: string, ports: number[], queues: Queue[]) {
  const banks = await Promise.all(ports.map((port) => startBank(world.schema!.url, port)));
  try {
    const share = queues.length / ports.length;
    const cpu0 = await Promise.all(ports.map(cpuSeconds));
    const results = await Promise.all(
      ports.map((port, i) => load(port, queues.slice(i * share, (i + 1) * share))),
    );
    const cpu1 = await Promise.all(ports.map(cpuSeconds));
    const cpu = cpu1.reduce((a, c, i) => a + c - cpu0[i]!, 0);
    return row(name, results, await Promise.all(ports.map(phases)), cpu);
  } finally {
    await Promise.all(banks.map(stopBank));
  }
}

/** The row against issue #14's target, from the same run. */
function verdict(r: Row): string {
  const rps = r.ok / r.seconds;
  const met = rps >= RPS_TARGET && r.p99 <= P99_TARGET && r.bad === 0;
  return `${met ? 'met' : 'NOT met'}: ${(rps / RPS_TARGET).toFixed(2)} × rate, p99 ${(r.p99 / P99_TARGET).toFixed(2)} × bound`;
}

async function main(): Promise<void> {
  const world = await World.create({ config: benchConfig(0) });
  try {
    const kem = await world.bankKemKey();
    const queues: Queue[] = [];
    for (let i = 0; i < 2 * CONNECTIONS; i++)
      queues.push(await queueFor(world, kem, REQUESTS_PER_CONNECTION));
    const rows = [
      await scenario(world, 'one instance', [18781], queues.slice(0, CONNECTIONS)),
      await scenario(world, 'two instances', [18782, 18783], queues.slice(CONNECTIONS)),
    ];
    const [settled] = await world.db.query<{ n: bigint }>(
      "SELECT count(*) AS n FROM payments WHERE status = 'settled'",
    );
    console.log('## apps/bank: the settlement API under load\n');
    console.log(`Machine: ${machineInfo()}\n`);
    console.log(
      '| banks | connections | batches of 10 settled | non-2xx + errors | seconds | requests/s | payments/s | p50 ms | p99 ms | bank CPU ms/request | open / verify / transaction ms | target ≥ 600/s, p99 ≤ 250 ms, 0 errors |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
    for (const r of rows) {
      const ph = ['open', 'verify', 'transaction'].map((p) => fmt(r.phases[p] ?? 0, 1)).join(' / ');
      console.log(
        `| ${r.name} | ${r.connections} | ${fmt(r.ok)} | ${r.bad} | ${r.seconds.toFixed(1)} | ${fmt(r.ok / r.seconds)} | ${fmt((r.ok * PAYMENTS_PER_BATCH) / r.seconds)} | ${r.p50} | ${r.p99} | ${fmt(r.cpuMs, 1)} | ${ph} | ${verdict(r)} |`,
      );
    }
    console.log(`\nPayments settled in the database: ${fmt(Number(settled?.n ?? 0))}`);
  } finally {
    await world.close();
  }
}

await main();

/**
 * Settlement throughput against real Postgres (issue #5 "Benchmarks"): 10,000 payments from 100
 * payers to 5 payees, settled in batches at the entry limit (LIMITS.batchEntries) through the
 * HTTP route, with every batch's signatures checked in-thread and then on the worker pool — and,
 * in the same run, node:crypto's single-core P-256 verify rate, the limit the issue names.
 * Where the time goes: the settlement observer's phases and the wall time of each SQL statement.
 *
 * Run: `pnpm bench` (DATABASE_URL or the local offpay_test database; its own schema, dropped).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { LIMITS, type LedgerHead, type Payment } from '@offpay/protocol';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../test/helpers/app.js';
import { World, type PayeeDevice } from '../test/helpers/world.js';
import {
  benchConfig,
  fmt,
  machineInfo,
  nativePayer,
  nativeVerifyRate,
  pay,
  profiled,
  sealBatch,
  SqlTimer,
  type NativePayer,
} from './fixtures.js';

const PAYERS = 100;
const PAYMENTS_PER_PAYER = 100;
const PAYEES = 5;
const BATCH = LIMITS.batchEntries;

interface RunResult {
  name: string;
  concurrent: boolean;
  profile: { name: string; ms: number }[];
  profileMs: number;
  payments: number;
  seconds: number;
  phases: Record<string, number>;
  paths: Record<string, number>;
  sql: { sql: string; ms: number; calls: number }[];
  /** CPU seconds of the run: this thread, and the whole process (this thread and the workers). */
  cpu: { main: number; process: number };
}

/**
 * CPU seconds this thread has used (Linux: utime + stime of its task, in clock ticks of 1/100 s);
 * NaN elsewhere. CPU time, unlike wall time, barely moves with the machine's load.
 */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of the whole process, every thread. */
const processCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Sums of a histogram's observations by label value. */
async function sums(app: FastifyInstance, metric: 'batchPhaseSeconds' | 'verifySeconds') {
  const out: Record<string, number> = {};
  for (const v of (await app.metrics[metric].get()).values)
    if (v.metricName?.endsWith('_sum')) out[String(Object.values(v.labels)[0])] = v.value;
  return out;
}

/**
 * Each payer pays two neighbouring payees in turn, so each payee's 2,000 payments come from 40
 * payers and each batch checks 40 certificates. Each ledger is cut into sealed batches.
 */
function batchesOf(
  world: World,
  kem: Uint8Array,
  payees: PayeeDevice[],
  payers: NativePayer[],
  heads: Map<PayeeDevice, LedgerHead>,
): Map<PayeeDevice, Uint8Array[]> {
  const ledgers = new Map<PayeeDevice, Payment[]>(payees.map((p) => [p, []]));
  for (let n = 0; n < PAYMENTS_PER_PAYER; n++)
    for (const payer of payers) {
      const payee = payees[(payer.cert.serial + (n % 2)) % payees.length]!;
      ledgers.get(payee)!.push(pay(payer, payee, 1 + (n % 7), world.now));
    }
  const out = new Map<PayeeDevice, Uint8Array[]>();
  for (const [payee, ledger] of ledgers) {
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < ledger.length; i += BATCH) {
      const b = sealBatch(payee, heads.get(payee)!, ledger.slice(i, i + BATCH), kem);
      heads.set(payee, b.next);
      sealed.push(b.sealed);
    }
    out.set(payee, sealed);
  }
  return out;
}

/** Settles every payee's batches in order, the payees concurrently; every entry must settle. */
async function settleAll(
  app: FastifyInstance,
  batches: Map<PayeeDevice, Uint8Array[]>,
  concurrent = true,
): Promise<number> {
  let settled = 0;
  const lists = [...batches.values()];
  const one = async (list: Uint8Array[]) => {
    for (const sealed of list) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/settlements',
        headers: { 'content-type': 'application/cbor' },
        payload: Buffer.from(sealed),
      });
      if (res.statusCode !== 200) throw new Error(`settle: ${res.statusCode} ${res.body}`);
      const results = res.json<{ results: { status: string; code: string }[] }>().results;
      const bad = results.filter((r) => r.status !== 'settled');
      if (bad.length > 0) throw new Error(`not settled: ${JSON.stringify(bad.slice(0, 3))}`);
      settled += results.length;
    }
  };
  if (concurrent) await Promise.all(lists.map(one));
  else for (const list of lists) await one(list);
  return settled;
}

async function run(
  name: string,
  app: FastifyInstance,
  batches: Map<PayeeDevice, Uint8Array[]>,
  sql: SqlTimer,
  concurrent: boolean,
): Promise<RunResult> {
  const [phases0, paths0] = [
    await sums(app, 'batchPhaseSeconds'),
    await sums(app, 'verifySeconds'),
  ];
  sql.totals.clear();
  const [main0, process0] = [mainThreadCpu(), processCpu()];
  const t0 = performance.now();
  const {
    result: payments,
    functions,
    totalMs,
  } = await profiled(() => settleAll(app, batches, concurrent));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = { main: mainThreadCpu() - main0, process: processCpu() - process0 };
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));
  return {
    name,
    concurrent,
    profile: functions,
    profileMs: totalMs,
    payments,
    seconds,
    phases: delta(await sums(app, 'batchPhaseSeconds'), phases0),
    paths: delta(await sums(app, 'verifySeconds'), paths0),
    sql: sql.top(8),
    cpu,
  };
}

/** Settles a few untimed batches so the JIT is warm and the verify workers are up. */
async function warmUp(world: World, kem: Uint8Array): Promise<void> {
  const payee = await world.payee('Warm-up Till');
  const payers = [nativePayer(await world.payer(1_000_000n))];
  const heads = new Map([[payee, payee.settled]]);
  for (let i = 0; i < 3; i++) {
    const payments = Array.from({ length: 300 }, () => pay(payers[0]!, payee, 1, world.now));
    const { sealed, next } = sealBatch(payee, heads.get(payee)!, payments, kem);
    heads.set(payee, next);
    await settleAll(world.app, new Map([[payee, [sealed]]]));
    await world.app.verifyPool.ready();
  }
}

function report(runs: RunResult[], verify: number[]): string {
  const rate = verify.reduce((a, b) => a + b, 0) / verify.length;
  const batches = (PAYERS * PAYMENTS_PER_PAYER) / BATCH;
  const mode = (r: RunResult) => (r.concurrent ? `${PAYEES} at once` : 'one at a time');
  const lines = [
    `Machine: ${machineInfo()}`,
    '',
    `node:crypto P-256 verify, one core (KeyObject cached, P1363): ${verify.map((v) => fmt(v)).join(' / ')} verify/s (before / after the runs); mean ${fmt(rate)}`,
    '',
    '| signature checks | payees | payments | batches × entries | seconds | payments/s | ÷ 1-core verify/s | target ≥ 0.8 |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...runs.map(
      (r) =>
        `| ${r.name} | ${mode(r)} | ${fmt(r.payments)} | ${batches} × ${BATCH} | ${r.seconds.toFixed(2)} | ${fmt(r.payments / r.seconds)} | ${(r.payments / r.seconds / rate).toFixed(2)} | ${r.payments / r.seconds / rate >= 0.8 ? 'met' : 'NOT met'} |`,
    ),
    '',
    '| signature checks | payees | open ms/batch | verify ms/batch | transaction ms/batch | main thread busy | main thread CPU ms/batch | bank CPU ms/batch (all threads) |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r) => {
      const ms = (phase: string) => fmt(((r.phases[phase] ?? 0) * 1000) / batches, 1);
      const idle = r.profile.find((f) => f.name === '(idle)')?.ms ?? 0;
      const busy = `${fmt((100 * (r.profileMs - idle)) / r.profileMs)} %`;
      const cpu = (s: number) => fmt((s * 1000) / batches);
      return `| ${r.name} | ${mode(r)} | ${ms('open')} | ${ms('verify')} | ${ms('transaction')} | ${busy} | ${cpu(r.cpu.main)} | ${cpu(r.cpu.process)} |`;
    }),
  ];
  for (const r of runs) {
    lines.push('', `Main thread, ${r.name}, ${mode(r)}: self time of the top functions`, '');
    lines.push('| function | ms |', '|---|---:|');
    for (const f of r.profile) lines.push(`| \`${f.name}\` | ${fmt(f.ms)} |`);
    lines.push('', `SQL wall time, ${r.name}, ${mode(r)}:`, '');
    lines.push('| statement | calls | total ms |', '|---|---:|---:|');
    for (const q of r.sql) lines.push(`| \`${q.sql}\` | ${q.calls} | ${fmt(q.ms)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const sql = new SqlTimer().install();
  const workers = availableParallelism();
  const world = await World.create({ config: benchConfig(workers) });
  const extra: FastifyInstance[] = [];
  try {
    const kem = await world.bankKemKey();
    const payees: PayeeDevice[] = [];
    for (let i = 0; i < PAYEES; i++) payees.push(await world.payee(`Till ${i}`));
    const payers: NativePayer[] = [];
    for (let i = 0; i < PAYERS; i++) payers.push(nativePayer(await world.payer(1_000_000n)));
    await warmUp(world, kem);
    const verify = [nativeVerifyRate()];
    const heads = new Map(payees.map((p) => [p, p.settled]));
    const next = () => batchesOf(world, kem, payees, payers, heads);

    // The same bank without workers, on the same database (payers' chains continue).
    const inThread = await buildTestApp({
      db: world.schema!.open(),
      now: () => world.clock,
      config: benchConfig(0),
    });
    extra.push(inThread);
    const pool = `pool (${workers} workers)`;
    // Each run continues the payers' chains, so later runs read more history: the order gives
    // both modes one earlier and one later run.
    const runs = [
      await run('in-thread', inThread, next(), sql, false),
      await run(pool, world.app, next(), sql, false),
      await run(pool, world.app, next(), sql, true),
      await run('in-thread', inThread, next(), sql, true),
    ];
    verify.push(nativeVerifyRate());
    console.log(`## apps/bank: settling ${fmt(PAYERS * PAYMENTS_PER_PAYER)} payments\n`);
    console.log(report(runs, verify));
  } finally {
    await Promise.all(extra.map((a) => a.close()));
    await world.close();
  }
}

await main();

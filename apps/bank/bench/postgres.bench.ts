/**
 * The Postgres ceiling for small batches (issue #14 item 2): how many settlements of 10 payments a
 * second Postgres sustains for the load benchmark's workload when nothing else is in front of it —
 * no HTTP, no HPKE open, no decoding, no signature checks. Each settlement is the bank's own
 * transaction (`settleVerified`: the same statements, locks and the audit line as `settle`), from
 * 50 concurrent clients, each settling its own payee's chain, batches decoded before the clock
 * starts. The driver's own CPU time is printed beside the rate, so the figure says whether
 * Postgres or the driver was the limit, and so is the CPU the pool's Postgres backends used per
 * settlement (from /proc, when Postgres runs on this machine): the figure that moves least with
 * the machine's load.
 *
 * Rows: the pool of one bank instance (10 connections) and of two (20). Each settlement's audit
 * line goes on its payee's own audit chain (no bank-wide lock); the main chain anchors those chains
 * every second during the runs, as the bank's anchor job does (docs/scaling.md "The audit chain").
 *
 * With `BENCH_PG_PLANS=1` it prints, after the runs and on the tables they filled, the generic plan
 * (`plan_cache_mode = force_generic_plan`) of every named statement the settlements used: after
 * five executions on a connection Postgres may choose it over a custom plan (db/statements.ts).
 *
 * Run: `pnpm bench` (DATABASE_URL or the local offpay_test database; its own schema, dropped).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import {
  encodeSettlementBatch,
  readSettlementBatch,
  signSettlementBatch,
  type SettlementBatchReading,
} from '@offpay/protocol';
import pg from 'pg';
import { createPgDatabase } from '../src/db/pg.js';
import type { Database } from '../src/db/queryable.js';
import type { AuditLog } from '../src/modules/audit/audit.service.js';
import { findPayeeByKid, type PayeeRow } from '../src/modules/settlement/settlement.repo.js';
import {
  settleVerified,
  type SettlementDeps,
} from '../src/modules/settlement/settlement.service.js';
import { createNativeVerifier } from '../src/modules/settlement/verify/native-verify.js';
import { World } from '../test/helpers/world.js';
import { benchConfig, fmt, machineInfo, nativePayer, pay, SqlTimer } from './fixtures.js';

const CLIENTS = 50;
const BATCHES_PER_CLIENT = Number(process.env.BENCH_PG_BATCHES ?? 20);
const PAYMENTS_PER_BATCH = 10;
/** The load benchmark's target, for the comparison printed with the figures. */
const TARGET_RPS = 600;

interface Client {
  payee: PayeeRow;
  batches: SettlementBatchReading[];
}

/** Enrolls `CLIENTS` payees with a payer each and decodes their next batches (untimed). */
async function clients(world: World, count: number): Promise<Client[]> {
  const out: Client[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const device = await world.payee();
    const payer = nativePayer(await world.payer(10_000_000n));
    let from = device.settled;
    const batches: SettlementBatchReading[] = [];
    for (let b = 0; b < count; b++) {
      const payments = Array.from({ length: PAYMENTS_PER_BATCH }, () =>
        pay(payer, device, 5, world.now),
      );
      const batch = signSettlementBatch({ payeeKid: device.kid, from, payments }, device.secretKey);
      from = { nextIndex: from.nextIndex + payments.length, head: batch.head };
      batches.push(readSettlementBatch(encodeSettlementBatch(batch)));
    }
    const payee = await findPayeeByKid(world.db, device.kid);
    if (!payee) throw new Error('payee not found');
    out.push({ payee, batches });
  }
  return out;
}

interface Row {
  name: string;
  pool: number;
  settlements: number;
  seconds: number;
  p50: number;
  p99: number;
  driverCpu: number;
  /** CPU ms of the pool's Postgres backends per settlement, or null when /proc cannot see them. */
  pgCpuMs: number | null;
  sql: { sql: string; ms: number; calls: number }[];
}

/** Linux clock ticks a second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's CPU times. */
const CLK_TCK = 100;

/**
 * CPU ms (user + system) the Postgres backends named `appName` have used since they started,
 * read from /proc; null when Postgres does not run on this machine or /proc is not readable.
 */
async function backendCpuMs(db: Database, appName: string): Promise<number | null> {
  const rows = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [appName],
  );
  let ticks = 0;
  try {
    for (const { pid } of rows) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return null;
  }
  return rows.length === 0 ? null : (ticks * 1000) / CLK_TCK;
}

async function run(
  name: string,
  deps: SettlementDeps,
  pool: number,
  list: Client[],
  appName?: string,
): Promise<Row> {
  const latencies: number[] = [];
  sql.totals.clear();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    list.map(async ({ payee, batches }) => {
      for (const reading of batches) {
        const s = performance.now();
        const outcome = await settleVerified(deps, reading, payee);
        latencies.push(performance.now() - s);
        if (outcome.result.results.some((r) => r.status !== 'settled'))
          throw new Error(`not settled: ${JSON.stringify(outcome.result.results[0])}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // The pool is the run's own: its backends started with it and did nothing else.
  const pgCpu = appName === undefined ? null : await backendCpuMs(deps.db, appName);
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    name,
    pool,
    settlements: latencies.length,
    seconds,
    p50: at(0.5),
    p99: at(0.99),
    driverCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    pgCpuMs: pgCpu === null ? null : pgCpu / latencies.length,
    sql: sql.top(12),
  };
}

const sql = new SqlTimer().install();

/** Named statements seen (name → text and the last values), when plans are asked for. */
const namedSeen = new Map<string, { text: string; values: unknown[] }>();
if (process.env.BENCH_PG_PLANS === '1') {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as { name?: unknown; text?: unknown; values?: unknown } | string;
    if (typeof first === 'object' && typeof first.name === 'string')
      namedSeen.set(first.name, { text: String(first.text), values: first.values as unknown[] });
    return original.apply(this, args);
  };
}

/**
 * The generic plan of each named statement seen, nodes only (EXPLAIN without ANALYZE: nothing
 * runs, no row is locked). Parameters are NULLs: a generic plan does not depend on them.
 */
async function genericPlans(url: string): Promise<void> {
  const db = createPgDatabase(url, { max: 1 });
  try {
    for (const [name, { text }] of [...namedSeen].sort()) {
      const params = Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      const plan = await db.transaction(async (tx) => {
        await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
        await tx.exec(`PREPARE bench_generic AS ${text}`);
        const nulls = Array.from({ length: params }, () => 'NULL').join(', ');
        const rows = await tx.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN (COSTS OFF) EXECUTE bench_generic${params > 0 ? `(${nulls})` : ''}`,
        );
        await tx.exec('DEALLOCATE bench_generic');
        return rows.map((r) => r['QUERY PLAN']);
      });
      console.log(`\nGeneric plan of \`${name}\`:\n\n\`\`\`\n${plan.join('\n')}\n\`\`\``);
    }
  } finally {
    await db.close();
  }
}

/** CPU ms (user + system) backend `pid` has used so far, from /proc. */
async function pidCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/**
 * Postgres CPU of one execution of each named statement seen, with the last values it ran with,
 * sent unnamed (parsed, analysed and planned every time) and named (prepared once), on one
 * connection of its own: `REPEAT` × (BEGIN, the statement, ROLLBACK) each way, the backend's
 * CPU read from /proc. Nothing is kept (ROLLBACK); a statement that fails (the record statement's
 * rows exist already) fails the same way both times, after its parse and plan.
 */
async function statementCpu(url: string): Promise<void> {
  const REPEAT = 400;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!
      .pid;
    console.log('\n| named statement | unnamed CPU ms/execution | named CPU ms/execution |');
    console.log('|---|---:|---:|');
    let k = 0;
    for (const [name, { text, values }] of [...namedSeen].sort()) {
      const cpu: number[] = [];
      for (const config of [
        { text, values },
        { name: `bench_${k++}`, text, values },
      ]) {
        const before = await pidCpuMs(pid);
        for (let i = 0; i < REPEAT; i++) {
          await client.query('BEGIN');
          await client.query(config).catch(() => undefined);
          await client.query('ROLLBACK');
        }
        cpu.push((await pidCpuMs(pid)) - before);
      }
      console.log(
        `| \`${name}\` | ${(cpu[0]! / REPEAT).toFixed(3)} | ${(cpu[1]! / REPEAT).toFixed(3)} |`,
      );
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const world = await World.create({ config: benchConfig(0) });
  const opened: Database[] = [];
  try {
    const s = world.app.services;
    const depsOn = (db: Database, audit: AuditLog): SettlementDeps => ({
      db,
      keyring: s.keyring,
      accounts: s.accounts,
      audit,
      verifier: createNativeVerifier(),
      recordFraudProof: (tx, proof) => s.fraud.record(tx, proof),
      now: () => world.clock,
    });
    const pool = (max: number, applicationName?: string) => {
      const db = createPgDatabase(world.schema!.url, { max, applicationName });
      opened.push(db);
      return db;
    };
    // Warm-up: a few settlements on a pool of its own, untimed.
    await run('warm-up', depsOn(pool(10), s.audit), 10, await clients(world, 2));
    const plans: [string, number, AuditLog][] = [
      ['one instance’s pool', 10, s.audit],
      ['two instances’ pools', 20, s.audit],
    ];
    const rows: Row[] = [];
    // The anchor job of one instance, on a connection of its own, as the bank runs it.
    const anchorDb = pool(1);
    let anchors = 0;
    const anchorTimer = setInterval(() => {
      s.audit.anchor(anchorDb).then(
        (n) => void (anchors += n > 0 ? 1 : 0),
        (err: unknown) => console.error('anchor failed', err),
      );
    }, 1000);
    try {
      for (const [name, max, audit] of plans) {
        const list = await clients(world, BATCHES_PER_CLIENT);
        const appName = `offpay-bench-${randomBytes(4).toString('hex')}`;
        rows.push(await run(name, depsOn(pool(max, appName), audit), max, list, appName));
      }
    } finally {
      clearInterval(anchorTimer);
    }
    await s.audit.anchor(world.db);
    const ok = await s.audit.verify(world.db);
    if (!ok.ok) throw new Error('the audit chain is broken');
    console.log('## apps/bank: the Postgres ceiling for batches of 10\n');
    console.log(
      `Machine: ${machineInfo()}; ${os.cpus().length} cores shared by Postgres and this driver\n`,
    );
    console.log(
      `${CLIENTS} clients, each settling its own payee's chain (${BATCHES_PER_CLIENT} batches of ${PAYMENTS_PER_BATCH}), the bank's settlement transaction only (settleVerified). Target of the API: ${TARGET_RPS} requests/s.\n`,
    );
    console.log(
      '| transactions | connections | settlements | seconds | settlements/s | ÷ target 600/s | p50 ms | p99 ms | driver CPU (cores) | Postgres CPU ms/settlement |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const rate = r.settlements / r.seconds;
      console.log(
        `| ${r.name} | ${r.pool} | ${fmt(r.settlements)} | ${r.seconds.toFixed(2)} | ${fmt(rate)} | ${(rate / TARGET_RPS).toFixed(2)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.driverCpu.toFixed(2)} | ${r.pgCpuMs?.toFixed(2) ?? '—'} |`,
      );
    }
    for (const r of rows) {
      console.log(`\nSQL wall time per settlement, ${r.name} (waits for locks included):\n`);
      console.log('| statement | calls | ms per settlement |', '\n|---|---:|---:|');
      for (const q of r.sql)
        console.log(`| \`${q.sql}\` | ${q.calls} | ${(q.ms / r.settlements).toFixed(2)} |`);
    }
    console.log(
      `\nAudit chains verified: ${ok.count} entries (${anchors} anchors written during the runs).`,
    );
    if (namedSeen.size > 0) {
      await genericPlans(world.schema!.url);
      await statementCpu(world.schema!.url);
    }
  } finally {
    await Promise.all(opened.map((db) => db.close()));
    await world.close();
  }
}

await main();

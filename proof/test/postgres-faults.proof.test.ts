/**
 * Postgres restarted and backends terminated during a stream of settlements (issue #10 item 9),
 * on a cluster the scenario starts itself in a temporary folder with Debian's binaries (never
 * the shared server): `pg_terminate_backend` of every bank connection, then a fast restart
 * (open transactions aborted), while three tills settle across two instances. No bank process
 * exits; every answer is 200 or 503 with Retry-After; every batch settles exactly once; the bank
 * recovers by itself; reconcile is clean.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep } from '../src/bank-process.js';
import type { Payee, Payer } from '../src/client.js';
import { sql } from '../src/database.js';
import { rng, seed, size, summary } from '../src/scenario.js';
import { OwnPostgres } from '../src/services.js';
import { settlementStream } from '../src/stream.js';
import { World } from '../src/world.js';
import { expectStreamSurvived } from './stream-checks.js';

const CYCLES = size(2, 10);
const SEED = seed();

let pg: OwnPostgres;
let world: World;
let payers: Payer[];
let payees: Payee[];

beforeAll(async () => {
  pg = await OwnPostgres.start();
  world = await World.start({ instances: 2, databaseUrl: pg.url });
  payers = [await world.payer(50_000_000n), await world.payer(50_000_000n)];
  payees = [await world.payee(), await world.payee(), await world.payee()];
});

afterAll(async () => {
  await world?.stop();
  pg?.stop();
});

async function terminateBackends(): Promise<number> {
  const rows = await sql<{ n: string }>(
    pg.adminUrl,
    `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
     WHERE usename = 'offpay' AND pid <> pg_backend_pid()`,
  );
  return Number(rows[0]?.n ?? 0);
}

it(`settlements survive terminated backends and restarts (${CYCLES} cycles, seed printed)`, async () => {
  let terminated = 0;
  let restarts = 0;
  const faults = (async () => {
    for (let c = 0; c < CYCLES; c++) {
      await sleep(1500);
      for (let i = 0; i < 3; i++) {
        terminated += await terminateBackends();
        await sleep(300);
      }
      await sleep(1500);
      pg.pgCtl('restart');
      restarts++;
      await sleep(2000);
    }
  })();
  const f = await settlementStream(world, { payers, payees }, rng(SEED), faults);
  await faults;
  const report = await expectStreamSurvived(world, payees, f);
  summary('Postgres backends terminated and restarted', {
    seed: SEED,
    trials: CYCLES,
    restarts,
    backendsTerminated: terminated,
    requests: f.requests,
    batches: f.batches,
    unavailable503: f.unavailable,
    fiveHundreds: f.fiveHundreds,
    violations: report.violations.length,
  });
  expect(report.violations).toEqual([]);
  expect(f.fiveHundreds).toBe(0);
});

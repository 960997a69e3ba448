/**
 * Redis killed and frozen during a stream of settlements (issue #10 item 9), on a redis-server
 * the scenario owns (never the shared 6379): SIGKILL then a restart, then SIGSTOP for several
 * seconds then SIGCONT, while three tills settle across two instances. No bank process exits;
 * every answer is 200 or 503 with Retry-After; every batch settles exactly once (each till's
 * balance is what it was paid); the bank recovers by itself; reconcile is clean.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep } from '../src/bank-process.js';
import type { Payee, Payer } from '../src/client.js';
import { rng, seed, size, summary } from '../src/scenario.js';
import { settlementStream } from '../src/stream.js';
import { World } from '../src/world.js';
import { expectStreamSurvived } from './stream-checks.js';

const CYCLES = size(1, 5);
const SEED = seed();

let world: World;
let payers: Payer[];
let payees: Payee[];

beforeAll(async () => {
  world = await World.start({ instances: 2 });
  payers = [await world.payer(50_000_000n), await world.payer(50_000_000n)];
  payees = [await world.payee(), await world.payee(), await world.payee()];
});

afterAll(async () => {
  await world?.stop();
});

it(`settlements survive Redis killed and frozen (${CYCLES} cycle(s), seed printed)`, async () => {
  const faults = (async () => {
    for (let c = 0; c < CYCLES; c++) {
      await sleep(1500);
      await world.redis.kill();
      await sleep(2500);
      await world.redis.spawn();
      await sleep(1500);
      world.redis.freeze();
      await sleep(4000);
      world.redis.thaw();
      await sleep(1500);
    }
  })();
  const f = await settlementStream(world, { payers, payees }, rng(SEED), faults);
  await faults;
  const report = await expectStreamSurvived(world, payees, f);
  summary('Redis killed and frozen', {
    seed: SEED,
    trials: CYCLES,
    requests: f.requests,
    batches: f.batches,
    unavailable503: f.unavailable,
    fiveHundreds: f.fiveHundreds,
    violations: report.violations.length,
  });
  expect(report.violations).toEqual([]);
  expect(f.fiveHundreds).toBe(0);
});

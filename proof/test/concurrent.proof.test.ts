/**
 * The same batch posted 100 times at once across two instances sharing Postgres and Redis (issue
 * #10 item 9): exactly one settlement — one answer is the original, the others its replay — all
 * answers carry the same bank-signed result, the payee is credited once, reconcile is clean.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bankKemKey,
  markSettled,
  pay,
  postBatch,
  request,
  sealedBatch,
  type Payee,
  type Payer,
  type SettlementAnswer,
} from '../src/client.js';
import { pick, rng, seed, size, summary } from '../src/scenario.js';
import { World } from '../src/world.js';

const ROUNDS = size(3, 20);
const COPIES = 100;
const SEED = seed();

let world: World;
let payers: Payer[];
let payee: Payee;

beforeAll(async () => {
  world = await World.start({ instances: 2 });
  payers = [await world.payer(10_000_000n), await world.payer(10_000_000n)];
  payee = await world.payee();
});

afterAll(async () => {
  await world?.stop();
});

async function customerBalance(token: string): Promise<bigint> {
  const res = await request(world.url, 'GET', '/v1/accounts/me', { token });
  const { accounts } = res.json<{ accounts: { kind: string; balanceMinor: string }[] }>();
  return BigInt(accounts.find((x) => x.kind === 'customer')!.balanceMinor);
}

it(`${COPIES} copies of one batch at once on two instances settle once (${ROUNDS} rounds)`, async () => {
  const random = rng(SEED);
  const kem = await bankKemKey(world.url);
  let requests = 0;
  let fiveHundreds = 0;
  let violations = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let total = 0n;
    for (let i = 0; i < 20; i++) {
      const amount = 1 + pick(random, 900);
      total += BigInt(amount);
      pay(payers[i % 2]!, payee, amount, world.bankNowSeconds);
    }
    const batch = sealedBatch(payee, kem);
    const before = await customerBalance(payee.user.token);
    const answers = await Promise.all(
      Array.from({ length: COPIES }, (_, i) => postBatch(world.banks[i % 2]!.url, batch.sealed)),
    );
    requests += answers.length;
    fiveHundreds += answers.filter((r) => r.status >= 500).length;
    for (const r of answers) expect(r.status, r.text).toBe(200);
    const bodies = answers.map((r) => r.json<SettlementAnswer>());
    expect(new Set(bodies.map((b) => b.signed)).size, 'one signed result').toBe(1);
    expect(
      bodies.filter((b) => !b.replayed),
      'exactly one original answer',
    ).toHaveLength(1);
    markSettled(payee, bodies[0]!, batch.count);
    expect(await customerBalance(payee.user.token)).toBe(before + total);
    const report = await world.reconcile();
    violations += report.violations.length;
    expect(report.violations).toEqual([]);
  }
  expect(world.exits()).toEqual([]);
  summary('same batch ×100 on two instances', {
    seed: SEED,
    trials: ROUNDS,
    requests,
    fiveHundreds,
    violations,
  });
});

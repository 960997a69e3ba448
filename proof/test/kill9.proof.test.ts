/**
 * kill -9 of a real bank process at random points of settlement (issue #10 item 9): a batch is
 * posted to instance A, which is SIGKILLed after a random delay (seeded) — before, during or
 * after its transaction. The same batch is then re-posted to instance B and again: it settles
 * exactly once, every answer carries the same bank-signed result, and reconcile finds the books
 * clean after every trial. A restarts for the next trial.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bankKemKey,
  markSettled,
  pay,
  postBatch,
  request,
  sealedBatch,
  type Answer,
  type Payee,
  type Payer,
  type SettlementAnswer,
} from '../src/client.js';
import { pick, rng, seed, size, summary } from '../src/scenario.js';
import { World } from '../src/world.js';

const TRIALS = size(20, 200);
const ENTRIES = 24;
const SEED = seed();

let world: World;
let payers: Payer[];
let payee: Payee;

beforeAll(async () => {
  world = await World.start({ instances: 2 });
  payers = [];
  for (let i = 0; i < 3; i++) payers.push(await world.payer(10_000_000n));
  payee = await world.payee();
});

afterAll(async () => {
  await world?.stop();
});

async function balanceOf(base: string, token: string): Promise<bigint> {
  const res = await request(base, 'GET', '/v1/accounts/me', { token });
  expect(res.status, res.text).toBe(200);
  const { accounts } = res.json<{ accounts: { kind: string; balanceMinor: string }[] }>();
  return BigInt(accounts.find((x) => x.kind === 'customer')!.balanceMinor);
}

it(`settles exactly once across ${TRIALS} kill -9 trials (seed printed)`, async () => {
  const random = rng(SEED);
  const [a, b] = world.banks as [(typeof world.banks)[0], (typeof world.banks)[0]];
  const kem = await bankKemKey(b.url);
  let requests = 0;
  let fiveHundreds = 0;
  let violations = 0;
  let completedBeforeKill = 0;
  // How long an undisturbed batch takes on A, so kill delays spread over the whole settlement.
  for (let i = 0; i < ENTRIES; i++) pay(payers[0]!, payee, 1, world.bankNowSeconds);
  const warm = sealedBatch(payee, kem);
  const warmStart = Date.now();
  const warmAnswer = await postBatch(a.url, warm.sealed);
  expect(warmAnswer.status, warmAnswer.text).toBe(200);
  const typicalMs = Date.now() - warmStart;
  markSettled(payee, warmAnswer.json<SettlementAnswer>(), warm.count);
  for (let trial = 0; trial < TRIALS; trial++) {
    let total = 0n;
    for (let i = 0; i < ENTRIES; i++) {
      const amount = 1 + pick(random, 500);
      total += BigInt(amount);
      pay(payers[pick(random, payers.length)]!, payee, amount, world.bankNowSeconds);
    }
    const batch = sealedBatch(payee, kem);
    const before = await balanceOf(b.url, payee.user.token);
    const delay = Math.floor(random() * typicalMs * 1.5);
    const first = postBatch(a.url, batch.sealed).then(
      (r) => r,
      () => null,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
    await a.kill9();
    const firstAnswer: Answer | null = await first;
    requests++;
    if (firstAnswer) {
      completedBeforeKill++;
      if (firstAnswer.status >= 500) fiveHundreds++;
    }
    const restart = a.spawn();
    // Awaited at the end of the trial; a failed assertion before that must not leave it unhandled.
    restart.catch(() => undefined);
    const answers: Answer[] = [];
    for (let i = 0; i < 2; i++) answers.push(await postBatch(b.url, batch.sealed));
    requests += 2;
    for (const r of answers) {
      if (r.status >= 500) fiveHundreds++;
      expect(r.status, r.text).toBe(200);
    }
    const signed = new Set(
      [...answers, ...(firstAnswer?.status === 200 ? [firstAnswer] : [])].map(
        (r) => r.json<SettlementAnswer>().signed,
      ),
    );
    expect(signed.size, 'every answer carries the same signed result').toBe(1);
    const answer = answers[1]!.json<SettlementAnswer>();
    expect(answer.replayed).toBe(true);
    expect(answer.results.every((e) => e.status === 'settled')).toBe(true);
    markSettled(payee, answer, batch.count);
    expect(await balanceOf(b.url, payee.user.token)).toBe(before + total);
    const report = await world.reconcile();
    violations += report.violations.length;
    expect(report.violations).toEqual([]);
    await restart;
  }
  expect(world.exits(), 'only the kills ended a bank').toEqual([]);
  summary('kill -9 during settlement', {
    seed: SEED,
    trials: TRIALS,
    requests,
    killWindowMs: Math.round(typicalMs * 1.5),
    completedBeforeKill,
    fiveHundreds,
    violations,
  });
  expect(fiveHundreds).toBe(0);
});

/**
 * The two deadlock scenarios and the self-dealing case of issue #10, as black-box regressions
 * against a real bank process: (1) payers with two phones whose batches draw on more than 63
 * reserve accounts, the two tills' batches locking them in opposite orders; (2) two users who pay
 * and sell, cheating at each other's tills beyond their reserves, settling at once; (3) a payer
 * double-spending to its own till beyond the reserve. Every answer is 200 with every entry
 * settled; the cheats' certificates are revoked (public list); the till goes on; reconcile clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerBalance } from '../src/balances.js';
import {
  append,
  bankKemKey,
  craftFirstPayment,
  markSettled,
  pay,
  postBatch,
  request,
  sealedBatch,
  type Payee,
  type Payer,
  type SettlementAnswer,
} from '../src/client.js';
import { seed, size, summary } from '../src/scenario.js';
import { World } from '../src/world.js';

const ROUNDS = size(3, 10);
// 64 payers: a transfer takes 63 sources, so each batch needs two chunks.
const PAYERS = 64;

let world: World;
let kem: Uint8Array;
const figures = { requests: 0, fiveHundreds: 0, violations: 0 };

beforeAll(async () => {
  world = await World.start();
  kem = await bankKemKey(world.url);
});

afterAll(async () => {
  summary('deadlock and self-dealing regressions', {
    seed: seed(),
    trials: ROUNDS,
    requests: figures.requests,
    fiveHundreds: figures.fiveHundreds,
    violations: figures.violations,
  });
  await world?.stop();
});

/** Posts each till's unsettled entries at once; every answer must be 200 with all settled. */
async function settleAtOnce(...tills: Payee[]): Promise<void> {
  const batches = tills.map((t) => sealedBatch(t, kem));
  const answers = await Promise.all(batches.map((b) => postBatch(world.url, b.sealed)));
  figures.requests += answers.length;
  figures.fiveHundreds += answers.filter((a) => a.status >= 500).length;
  answers.forEach((res, i) => {
    expect(res.status, res.text).toBe(200);
    const body = res.json<SettlementAnswer>();
    expect(body.results.map((r) => r.status)).toEqual(Array(batches[i]!.count).fill('settled'));
    markSettled(tills[i]!, body, batches[i]!.count);
  });
}

async function expectClean(): Promise<void> {
  const report = await world.reconcile();
  figures.violations += report.violations.length;
  expect(report.violations).toEqual([]);
}

async function revoked(): Promise<number[]> {
  const res = await request(world.url, 'GET', '/v1/revocations');
  expect(res.status).toBe(200);
  return res.json<{ serials: (string | number)[] }>().serials.map(Number);
}

describe('deadlock regressions', () => {
  it(`two tills paid by the two phones of ${PAYERS} payers (two chunks of reserves) settle at once`, async () => {
    const a = await world.payee();
    const b = await world.payee();
    const phones: [Payer, Payer][] = [];
    for (let i = 0; i < PAYERS; i += 8) {
      const group = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const first = await world.payer(10_000n, 20_000n);
          return [first, await world.payerFor(first.user, 10_000n)] as [Payer, Payer];
        }),
      );
      phones.push(...group);
    }
    // A's batch draws on every first phone in one order, B's on every second phone with the
    // halves swapped: chunked transfers would lock each other's reserve accounts crosswise.
    const half = PAYERS / 2;
    const orderB = [...phones.slice(half), ...phones.slice(0, half)];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [first] of phones) pay(first, a, 10, world.bankNowSeconds);
      for (const [, second] of orderB) pay(second, b, 10, world.bankNowSeconds);
      await settleAtOnce(a, b);
    }
    const each = BigInt(PAYERS * ROUNDS * 10);
    expect(await customerBalance(world.url, a.user)).toBe(each);
    expect(await customerBalance(world.url, b.user)).toBe(each);
    await expectClean();
  });

  it('two users who pay and sell, cheating at each other beyond the reserve, settle at once', async () => {
    const x = await world.payer(1_000n, 100_000n);
    const y = await world.payer(1_000n, 100_000n);
    const tillX = await world.payee(x.user);
    const tillY = await world.payee(y.user);
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh phone each round: the previous one was revoked by its fraud proof.
      const [phoneX, phoneY] =
        round === 0
          ? [x, y]
          : [await world.payerFor(x.user, 1_000n), await world.payerFor(y.user, 1_000n)];
      for (const [phone, till] of [
        [phoneX, tillY],
        [phoneY, tillX],
      ] as const) {
        for (let i = 0; i < 2; i++)
          append(till, craftFirstPayment(phone, till, 800, world.bankNowSeconds));
      }
      await settleAtOnce(tillX, tillY);
      const list = await revoked();
      expect(list).toEqual(expect.arrayContaining([phoneX.cert.serial, phoneY.cert.serial]));
    }
    // Per round each user reserved 1,000 for a phone, received 1,600, and 600 was recovered.
    expect(await customerBalance(world.url, x.user)).toBe(100_000n);
    expect(await customerBalance(world.url, y.user)).toBe(100_000n);
    await expectClean();
  });
});

describe('self-dealing regression', () => {
  it('a double spend to its own till beyond the reserve settles; the proof is kept; the till goes on', async () => {
    const phone = await world.payer(1_000n, 3_000n);
    const till = await world.payee(phone.user);
    for (let i = 0; i < 2; i++)
      append(till, craftFirstPayment(phone, till, 800, world.bankNowSeconds));
    const batch = sealedBatch(till, kem);
    await settleAtOnce(till);
    // Retried: the stored answer, not an error (it used to be 500 on every retry).
    const again = await postBatch(world.url, batch.sealed);
    figures.requests++;
    expect(again.status, again.text).toBe(200);
    expect(again.json<SettlementAnswer>().replayed).toBe(true);
    expect(await revoked()).toContain(phone.cert.serial);
    // 1,000 reserved, 1,600 received: 1,000 from the reserve, 600 recovered from itself (nothing moves).
    expect(await customerBalance(world.url, phone.user)).toBe(3_000n - 1_000n + 1_000n);
    const other = await world.payer(5_000n);
    pay(other, till, 700, world.bankNowSeconds);
    await settleAtOnce(till);
    await expectClean();
  });
});

/**
 * A random workload against a real bank process (issue #10 item 9): ≥ 2,000 seeded operations in
 * CI (20,000 long) — enroll (new users and new phones), pay, settle, replay a settled batch, cheat
 * (a double spend), close a certificate — with reconcile run after every 100 operations; then
 * reserves are released by moving the bank clock past expiry + grace, and reconciled again. Every settlement answer is 200
 * (a replay carries the stored signed result), nothing is ever 5xx, and the books always agree.
 */
import { GRACE_SECONDS } from '@offpay/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep } from '../src/bank-process.js';
import {
  append,
  bankKemKey,
  craftFirstPayment,
  enrollPayer,
  markSettled,
  pay,
  postBatch,
  request,
  sealedBatch,
  type Payee,
  type Payer,
  type SettlementAnswer,
  type User,
  unsettled,
} from '../src/client.js';
import { pick, rng, seed, size, summary } from '../src/scenario.js';
import { World } from '../src/world.js';

const OPERATIONS = size(2_000, 20_000);
const SEED = seed();
const LIMIT = 5_000n;
/** Payer certificates live 7 days, plus GRACE_SECONDS (3 days): 11 days pass both. */
const PAST_EXPIRY_AND_GRACE_MS = (7 + GRACE_SECONDS / 86_400 + 1) * 86_400_000;

let world: World;
let kem: Uint8Array;
/** Payers' owners (funded); the tills' owners are merchants without funds. */
const users: User[] = [];
let phones: Payer[] = [];
const tills: Payee[] = [];
const settled: { till: Payee; sealed: Uint8Array; signed: string }[] = [];

beforeAll(async () => {
  world = await World.start({ movableClock: true, extra: { RELEASE_INTERVAL_SECONDS: '1' } });
  kem = await bankKemKey(world.url);
  for (let i = 0; i < 3; i++) tills.push(await world.payee());
});

afterAll(async () => {
  await world?.stop();
});

it(`${OPERATIONS} random operations keep the books in agreement (seed printed)`, async () => {
  console.log(`[proof] random workload: seed=${SEED}`);
  const random = rng(SEED);
  const counts: Record<string, number> = {};
  const f = { requests: 0, fiveHundreds: 0, violations: 0, reconciles: 0 };
  const note = (status: number) => {
    f.requests++;
    if (status >= 500) f.fiveHundreds++;
  };

  const stale = new Set<User>();
  const fresh = async (user: User) => {
    if (!stale.delete(user)) return;
    await world.relogin([user]);
    f.requests++;
  };
  const newUser = async () => {
    const user = await world.user('Workload Payer');
    await world.fund(user, 1_000_000n);
    users.push(user);
    return user;
  };
  const enroll = async () => {
    const owner =
      random() < 0.3 || users.length < 4 ? await newUser() : users[pick(random, users.length)]!;
    phones.push(await enrollPayer(world.url, owner, LIMIT));
    f.requests += 2;
  };
  const payOnce = async () => {
    if (phones.length === 0) return enroll();
    const phone = phones[pick(random, phones.length)]!;
    const till = tills[pick(random, tills.length)]!;
    try {
      pay(phone, till, 1 + pick(random, 300), world.bankNowSeconds);
    } catch {
      // The phone spent its limit: it is done; a new one is enrolled.
      phones = phones.filter((p) => p !== phone);
      await enroll();
    }
  };
  const settle = async () => {
    const till = tills[pick(random, tills.length)]!;
    if (unsettled(till) === 0) return;
    const batch = sealedBatch(till, kem);
    const res = await postBatch(world.url, batch.sealed);
    note(res.status);
    expect(res.status, res.text).toBe(200);
    const answer = res.json<SettlementAnswer>();
    markSettled(till, answer, batch.count);
    settled.push({ till, sealed: batch.sealed, signed: answer.signed });
  };
  const replay = async () => {
    const old = settled[pick(random, settled.length)];
    if (!old) return settle();
    const res = await postBatch(world.url, old.sealed);
    note(res.status);
    expect(res.status, res.text).toBe(200);
    expect(res.json<SettlementAnswer>()).toMatchObject({ replayed: true, signed: old.signed });
  };
  const cheat = async () => {
    const phone = phones.find((p) => p.chain.counter > 0);
    if (!phone) return payOnce();
    const till = tills[pick(random, tills.length)]!;
    append(till, craftFirstPayment(phone, till, 1 + pick(random, 4000), world.bankNowSeconds));
    phones = phones.filter((p) => p !== phone);
  };
  const close = async () => {
    const phone = phones[pick(random, phones.length)];
    if (!phone) return enroll();
    await fresh(phone.user);
    const res = await request(world.url, 'POST', `/v1/certificates/${phone.cert.serial}/close`, {
      token: phone.user.token,
    });
    note(res.status);
    expect(res.status, res.text).toBe(200);
    phones = phones.filter((p) => p !== phone);
  };
  const release = async () => {
    // Every till settles first (the payments of expiring phones must not be lost), then the
    // clock passes expiry + grace; the release job returns every reserve left.
    for (const till of tills) {
      if (unsettled(till) === 0) continue;
      const batch = sealedBatch(till, kem);
      const res = await postBatch(world.url, batch.sealed);
      note(res.status);
      expect(res.status, res.text).toBe(200);
      markSettled(till, res.json<SettlementAnswer>(), batch.count);
    }
    const owner = phones[0]?.user;
    await world.advanceClock(PAST_EXPIRY_AND_GRACE_MS);
    // Every token is past its expiry now; users sign in again when they next act.
    for (const u of users) stale.add(u);
    phones = [];
    if (owner) {
      await fresh(owner);
      await waitReserveEmpty(owner);
    }
  };

  const table: [number, string, () => Promise<void>][] = [
    [45, 'pay', payOnce],
    [15, 'settle', settle],
    [8, 'replay', replay],
    [12, 'enroll', enroll],
    [4, 'cheat', cheat],
    [4, 'close', close],
  ];
  const total = table.reduce((s, [w]) => s + w, 0);
  for (let op = 1; op <= OPERATIONS; op++) {
    let roll = random() * total;
    const [, name, run] = table.find(([w]) => (roll -= w) < 0) ?? table[0]!;
    counts[name] = (counts[name] ?? 0) + 1;
    try {
      await run();
    } catch (err) {
      throw new Error(`operation ${op} (${name}, seed ${SEED}, counts ${JSON.stringify(counts)})`, {
        cause: err,
      });
    }
    if (op % 100 === 0) {
      const report = await world.reconcile();
      f.reconciles++;
      f.violations += report.violations.length;
      expect(report.violations, `after operation ${op} (seed ${SEED})`).toEqual([]);
    }
  }
  // Last, the reserves: every till settles, the bank clock passes expiry + grace, and the release
  // job returns what is left of every reserve; the books still agree.
  counts['release'] = 1;
  await release();
  const report = await world.reconcile();
  f.reconciles++;
  f.violations += report.violations.length;
  expect(report.violations, `after the release (seed ${SEED})`).toEqual([]);
  expect(world.exits()).toEqual([]);
  summary('random workload', {
    seed: SEED,
    inputs: OPERATIONS,
    requests: f.requests,
    reconciles: f.reconciles,
    ...counts,
    fiveHundreds: f.fiveHundreds,
    violations: f.violations,
  });
  expect(f.fiveHundreds).toBe(0);
});

/** Polls the owner's reserve until the release job emptied it (bounded). */
async function waitReserveEmpty(user: User): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await request(world.url, 'GET', '/v1/accounts/me', { token: user.token });
    const { accounts } = res.json<{ accounts: { kind: string; balanceMinor: string }[] }>();
    const reserve = accounts.find((a) => a.kind === 'reserve');
    if (!reserve || reserve.balanceMinor === '0') return;
    await sleep(200);
  }
  throw new Error(`the reserve of ${user.userId} was not released after the clock passed expiry`);
}

/**
 * A stream of settlements while something breaks (Redis, Postgres): several tills each settle
 * batch after batch across the bank instances; an answer must be 200, or 503 with Retry-After
 * (then the same sealed batch is posted again, as a till does). The stream ends when the fault
 * script is done and every till's last batch settled; it reports what it saw.
 */
import { sleep } from './bank-process.js';
import {
  bankKemKey,
  markSettled,
  pay,
  postBatch,
  sealedBatch,
  type Payee,
  type Payer,
  type SettlementAnswer,
} from './client.js';
import { pick } from './scenario.js';
import type { World } from './world.js';

/** What a stream saw. */
export interface StreamFigures {
  requests: number;
  batches: number;
  unavailable: number;
  /** 503 answers without a Retry-After header. */
  withoutRetryAfter: number;
  /** Answers that were neither 200 nor 503, or network errors (the process or a socket died). */
  unexpected: string[];
  /** 5xx answers other than 503 (BANK_INTERNAL and the like). */
  fiveHundreds: number;
  /** What the tills were paid in total (their balances must end there). */
  paid: Map<Payee, bigint>;
}

/**
 * Runs tills against `world` until `faults` resolves, then until each till settled its last
 * batch (bounded by `settleTimeoutMs`). Every batch is re-posted on 503 until it settles.
 */
export async function settlementStream(
  world: World,
  parties: { payers: Payer[]; payees: Payee[] },
  random: () => number,
  faults: Promise<void>,
  settleTimeoutMs = 120_000,
): Promise<StreamFigures> {
  const kem = await bankKemKey(world.url);
  const f: StreamFigures = {
    requests: 0,
    batches: 0,
    unavailable: 0,
    withoutRetryAfter: 0,
    unexpected: [],
    fiveHundreds: 0,
    paid: new Map(parties.payees.map((p) => [p, 0n])),
  };
  let faultsDone = false;
  void faults.finally(() => {
    faultsDone = true;
  });
  const till = async (payee: Payee, n: number) => {
    while (!faultsDone) {
      for (let i = 0; i < 4; i++) {
        const amount = 1 + pick(random, 300);
        pay(
          parties.payers[pick(random, parties.payers.length)]!,
          payee,
          amount,
          world.bankNowSeconds,
        );
        f.paid.set(payee, f.paid.get(payee)! + BigInt(amount));
      }
      const batch = sealedBatch(payee, kem);
      const deadline = Date.now() + settleTimeoutMs;
      for (let attempt = 0; ; attempt++) {
        if (Date.now() > deadline) throw new Error('a batch did not settle after the faults ended');
        const bank = world.banks[(n + attempt) % world.banks.length]!;
        f.requests++;
        let res;
        try {
          res = await postBatch(bank.url, batch.sealed);
        } catch (err) {
          f.unexpected.push(`network: ${err instanceof Error ? err.message : String(err)}`);
          await sleep(200);
          continue;
        }
        if (res.status >= 500 && res.status !== 503) f.fiveHundreds++;
        if (res.status === 200) {
          markSettled(payee, res.json<SettlementAnswer>(), batch.count);
          f.batches++;
          break;
        }
        if (res.status === 503) {
          f.unavailable++;
          if (!res.headers.get('retry-after')) f.withoutRetryAfter++;
          // A till honours Retry-After; the suite waits less so the stream stays busy.
          await sleep(200);
          continue;
        }
        f.unexpected.push(`${res.status} ${res.text.slice(0, 200)}`);
        await sleep(200);
      }
    }
  };
  await Promise.all(parties.payees.map((p, n) => till(p, n)));
  return f;
}

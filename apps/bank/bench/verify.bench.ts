/**
 * A batch's signature checks, in-thread against the worker pool, by batch size (no database):
 * where the pool starts to pay for its round trip, which sets VERIFY_POOL_MIN_ENTRIES. Entries
 * come from 40 payers, as in the settlement benchmark, so each batch also checks up to 40
 * certificates.
 *
 * Run: `pnpm bench` (or `tsx bench/verify.bench.ts`).
 */
import { availableParallelism } from 'node:os';
import { generateSecretKey, getPublicKey, kid } from '@offpay/crypto';
import {
  bankKeySet,
  decodeSettlementBatch,
  emptyLedgerHead,
  encodeSettlementBatch,
  issuePayerCertificate,
  signSettlementBatch,
  type SettlementBatch,
} from '@offpay/protocol';
import { median } from '../../../tools/bench-harness.js';
import { createNativeVerifier } from '../src/modules/settlement/verify/native-verify.js';
import { createVerifyPool } from '../src/modules/settlement/verify/pool.js';
import { verifyEntriesInThread } from '../src/modules/settlement/settlement.verify.js';
import type { PayeeDevice, PayerDevice } from '../test/helpers/world.js';
import { fmt, machineInfo, nativePayer, nativeVerifyRate, pay } from './fixtures.js';

const SIZES = [8, 16, 32, 64, 128, 256, 1000];
const RUNS = 15;
const now = Math.floor(Date.now() / 1000);
const bank = generateSecretKey();
const bankKeys = bankKeySet([getPublicKey(bank)]);
const payeeKey = generateSecretKey();
const payee = { kid: kid(getPublicKey(payeeKey)), secretKey: payeeKey } as PayeeDevice;
const payers = Array.from({ length: 40 }, (_, i) => {
  const secretKey = generateSecretKey();
  const cert = issuePayerCertificate(
    {
      serial: i + 1,
      signKey: getPublicKey(secretKey),
      currency: 'EUR',
      expiresAt: now + 86_400,
      limit: 1e12,
    },
    bank,
  );
  return nativePayer({ cert, secretKey } as PayerDevice);
});

function batchOf(size: number): SettlementBatch {
  const payments = Array.from({ length: size }, (_, i) => pay(payers[i % 40]!, payee, 1, now));
  const signed = signSettlementBatch(
    { payeeKid: payee.kid, from: emptyLedgerHead(1), payments },
    payeeKey,
  );
  return decodeSettlementBatch(encodeSettlementBatch(signed));
}

/** Median milliseconds of `fn` over RUNS runs, after two untimed ones. */
async function time(fn: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    await fn();
    if (i >= 2) samples.push(performance.now() - t0);
  }
  return median(samples);
}

const native = createNativeVerifier();
const workers = availableParallelism();
const pool = createVerifyPool({ verifier: native, workers, minEntries: 1 });
await pool.ready();
const rate = nativeVerifyRate();
const lines = [
  '## apps/bank: signature checks of one batch, in-thread and on the pool\n',
  `Machine: ${machineInfo()}\n`,
  `node:crypto P-256 verify, one core: ${fmt(rate)} verify/s\n`,
  `| entries | checks | in-thread ms | pool (${workers} workers) ms | pool ÷ in-thread |`,
  '|---:|---:|---:|---:|---:|',
];
try {
  for (const size of SIZES) {
    const batch = batchOf(size);
    let checks = 0;
    verifyEntriesInThread(batch, bankKeys, () => ++checks > 0);
    const inThread = await time(() => verifyEntriesInThread(batch, bankKeys, native));
    const pooled = await time(() => pool.verifyEntries(batch, bankKeys));
    lines.push(
      `| ${size} | ${checks} | ${inThread.toFixed(2)} | ${pooled.toFixed(2)} | ${(pooled / inThread).toFixed(2)} |`,
    );
  }
} finally {
  await pool.close();
}
console.log(lines.join('\n'));

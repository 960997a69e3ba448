/**
 * What the bank benchmarks share: payments signed with node:crypto (noble's pure-JS signing would
 * take ~13 s for 10,000), sealed batches, node:crypto's single-core verify rate, a per-statement
 * SQL timer, and the machine line. Nothing here is timed against a limit: the figures go to
 * docs/PERFORMANCE.md.
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { generateSecretKey, getPublicKey, randomBytes } from '@offpay/crypto';
import {
  certificateValue,
  decodePayment,
  encodeCbor,
  encodeSettlementBatch,
  paymentTbs,
  payerGenesis,
  sealSettlementBatch,
  signedBytes,
  signSettlementBatch,
  SIGN_LABEL,
  type LedgerHead,
  type Payment,
  type PayerCertificate,
} from '@offpay/protocol';
import pg from 'pg';
import { DEFAULT_RATE_LIMITS, type BankConfig } from '../src/config.js';
import { machineLine, measure } from '../../../tools/bench-harness.js';
import type { PayeeDevice, PayerDevice } from '../test/helpers/world.js';

/** A bank config for benchmarks: quiet, limits out of the way, `workers` verify threads. */
export function benchConfig(workers: number): Partial<BankConfig> {
  const unlimited = 1_000_000;
  return {
    logLevel: 'warn',
    verifyPool: { workers, minEntries: 64 },
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      login: unlimited,
      loginAddress: unlimited,
      register: unlimited,
      registerTotal: unlimited,
      enrollment: unlimited,
      settlement: unlimited,
    },
  };
}

// RFC 5915 ECPrivateKey for prime256v1 around a 32-byte secret; OpenSSL derives the public key.
const SEC1_PREFIX = Buffer.from('30310201010420', 'hex');
const SEC1_SUFFIX = Buffer.from('a00a06082a8648ce3d030107', 'hex');
const SPKI_COMPRESSED = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');

/** A payer with a native signing key and its chain state. */
export interface NativePayer {
  cert: PayerCertificate;
  key: KeyObject;
  counter: number;
  prev: Uint8Array;
  spent: number;
}

/** Wraps an enrolled payer device for native signing, from its first payment. */
export function nativePayer(device: PayerDevice): NativePayer {
  return {
    cert: device.cert,
    key: createPrivateKey({
      key: Buffer.concat([SEC1_PREFIX, device.secretKey, SEC1_SUFFIX]),
      format: 'der',
      type: 'sec1',
    }),
    counter: 0,
    prev: payerGenesis(device.cert.serial),
    spent: 0,
  };
}

/** The payer's next payment, signed with node:crypto (P1363; high-S as OpenSSL makes it). */
export function pay(payer: NativePayer, payee: PayeeDevice, amount: number, now: number): Payment {
  const tbs = paymentTbs({
    serial: payer.cert.serial,
    counter: payer.counter + 1,
    prev: payer.prev,
    spent: payer.spent + amount,
    amount,
    payeeKid: payee.kid,
    requestId: randomBytes(16),
    createdAt: now,
  });
  const signature = nodeSign('sha256', signedBytes(SIGN_LABEL.payment, tbs), {
    key: payer.key,
    dsaEncoding: 'ieee-p1363',
  });
  const payment = decodePayment(
    encodeCbor([tbs, new Uint8Array(signature), certificateValue(payer.cert)]),
  );
  payer.counter++;
  payer.prev = payment.paymentId;
  payer.spent += amount;
  return payment;
}

/** A sealed batch of `payments` continuing the payee's chain from `from`; returns the next head. */
export function sealBatch(
  payee: PayeeDevice,
  from: LedgerHead,
  payments: Payment[],
  bankKemKey: Uint8Array,
): { sealed: Uint8Array; next: LedgerHead } {
  const batch = signSettlementBatch({ payeeKid: payee.kid, from, payments }, payee.secretKey);
  return {
    sealed: sealSettlementBatch(encodeSettlementBatch(batch), bankKemKey),
    next: { nextIndex: from.nextIndex + payments.length, head: batch.head },
  };
}

/**
 * node:crypto's single-core P-256 verify rate: KeyObjects created once (as the bank caches
 * them), `crypto.verify` with P1363 signatures over 150-byte messages, distinct per call.
 */
export function nativeVerifyRate(runMs = 2000): number {
  const cases = Array.from({ length: 256 }, (_, i) => {
    const secret = generateSecretKey();
    const message = randomBytes(150);
    const key = createPrivateKey({
      key: Buffer.concat([SEC1_PREFIX, secret, SEC1_SUFFIX]),
      format: 'der',
      type: 'sec1',
    });
    return {
      message,
      signature: nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }),
      key: createPublicKey({
        key: Buffer.concat([SPKI_COMPRESSED, getPublicKey(secret)]),
        format: 'der',
        type: 'spki',
      }),
      i,
    };
  });
  let n = 0;
  const row = measure(
    'verify',
    () => {
      const c = cases[n++ % cases.length]!;
      if (!nodeVerify('sha256', c.message, { key: c.key, dsaEncoding: 'ieee-p1363' }, c.signature))
        throw new Error('a valid signature did not verify');
    },
    runMs,
  );
  return row.opsPerSecond;
}

/** Wall time per SQL statement (first 60 characters), across every pg client in this process. */
export class SqlTimer {
  readonly totals = new Map<string, { ms: number; calls: number }>();

  /** Patches pg.Client#query once (benchmark processes only). */
  install(): this {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    const totals = this.totals;
    proto.query = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      // A text, or a named statement's `{ name, text, values }` (db/statements.ts).
      const first = args[0] as string | { text?: unknown } | undefined;
      const text = typeof first === 'string' ? first : first?.text;
      if (typeof text !== 'string' || !(result instanceof Promise)) return result;
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
      const t0 = performance.now();
      const record = () => {
        const entry = totals.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - t0;
        entry.calls++;
        totals.set(key, entry);
      };
      result.then(record, record);
      return result;
    };
    return this;
  }

  /** Totals since the last reset, largest first. */
  top(n: number): { sql: string; ms: number; calls: number }[] {
    return [...this.totals]
      .map(([sql, t]) => ({ sql, ...t }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, n);
  }
}

/** Machine, date and load, for every figure recorded. */
export function machineInfo(): string {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${machineLine()}; load average ${load}`;
}

/** Formats a number with thousands separators. */
export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Runs `fn` under V8's CPU profiler (this thread only) and returns the functions with the most
 * self time, in ms — where the main thread's time goes.
 */
export async function profiled<T>(
  fn: () => Promise<T>,
  top = 15,
): Promise<{ result: T; totalMs: number; functions: { name: string; ms: number }[] }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  const stop = async () => {
    const { profile } = (await session.post('Profiler.stop')) as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    session.disconnect();
    return profile;
  };
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await stop();
    throw e;
  }
  const profile = await stop();
  if (process.env.BENCH_PROFILE_DIR)
    writeFileSync(
      `${process.env.BENCH_PROFILE_DIR}/main-${Date.now()}.cpuprofile`,
      JSON.stringify(profile),
    );
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-1)[0] ?? ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = [...self]
    .map(([name, ms]) => ({ name, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  return { result, totalMs, functions };
}

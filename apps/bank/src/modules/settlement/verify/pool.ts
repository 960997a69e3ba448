/**
 * Settlement's signature checks spread over worker threads (issue #5 "Speed"): an
 * {@link EntryVerifier} that gives exactly the answer of `verifyEntriesInThread` — the same
 * certificate codes (`certificateCodes`, in this thread), and each payer signature checked on a
 * worker instead of here (test/modules/settlement/verify/pool.test.ts compares the two on random
 * and hostile batches). Small batches stay in this thread
 * (a worker round trip costs more than a few checks); a worker that is not ready, crashes or
 * stops answering makes the batch verify in this thread instead — slower, never wrong.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SIGN_LABEL,
  signedBytes,
  type Payment,
  type ProtoErrorCode,
  type Verifier,
} from '@offpay/protocol';
import type { BatchEntry } from '../settlement.domain.js';
import type { EntryVerifier } from '../settlement.ports.js';
import { certificateCodes, verifyEntriesInThread } from '../settlement.verify.js';
import { packPrefixedJobs, type PrefixedJob } from './jobs.js';
import { isWorkerGone, WorkerSet, type WorkerSlot } from './slot.js';

/** How a batch's signatures were checked. */
export type VerifyPath = 'thread' | 'pool' | 'fallback';

/** Batches with fewer entries are checked in-thread (docs/PERFORMANCE.md "apps/bank"). */
export const DEFAULT_MIN_ENTRIES = 64;

/** Options of {@link createVerifyPool}. */
export interface VerifyPoolOptions {
  /** The in-thread verifier (the native one); workers build their own. */
  verifier: Verifier;
  /** Worker threads; default `os.availableParallelism()`; 0 checks everything in-thread. */
  workers?: number;
  /** Batches with fewer entries stay in-thread; default {@link DEFAULT_MIN_ENTRIES}. */
  minEntries?: number;
  /** The worker module (tests substitute one that crashes); default worker.ts beside this one. */
  workerUrl?: URL;
  /** A worker that has not answered after this long is stopped; default 30 s. */
  timeoutMs?: number;
  /** Workers restarted after crashes before the pool stays in-thread for good; default 10. */
  maxRestarts?: number;
  /** Called after every batch with the path taken and the seconds it took. */
  onVerified?(path: VerifyPath, seconds: number): void;
  /** Called when a worker fails (the batch is then checked in-thread). */
  onWorkerError?(err: Error): void;
}

/** A verifier pool: the entry verifier, a way to wait for its workers, and its shutdown. */
export interface VerifyPool {
  verifyEntries: EntryVerifier;
  /** Starts the workers if needed and waits until each is ready (or dead). */
  ready(): Promise<void>;
  /** Stops every worker; later batches are checked in-thread. */
  close(): Promise<void>;
}

const here = fileURLToPath(import.meta.url);
/** The worker module beside this one, with this module's extension (.ts under tsx, .js built). */
const DEFAULT_WORKER_URL = new URL(`./worker${extname(here)}`, import.meta.url);

/** Builds a pool; workers start with the first large batch (or {@link VerifyPool.ready}). */
export function createVerifyPool(options: VerifyPoolOptions): VerifyPool {
  const size = options.workers ?? availableParallelism();
  const minEntries = options.minEntries ?? DEFAULT_MIN_ENTRIES;
  const workers = new WorkerSet(
    {
      size,
      url: options.workerUrl ?? DEFAULT_WORKER_URL,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRestarts: options.maxRestarts ?? 10,
    },
    (err) => options.onWorkerError?.(err),
  );
  const timed = async (path: VerifyPath, run: () => Promise<BatchEntry[]> | BatchEntry[]) => {
    const t0 = performance.now();
    const entries = await run();
    options.onVerified?.(path, (performance.now() - t0) / 1000);
    return entries;
  };

  return {
    verifyEntries: async (batch, bankKeys) => {
      const inThread = () => verifyEntriesInThread(batch, bankKeys, options.verifier);
      if (workers.closed || size === 0 || batch.entries.length < minEntries)
        return timed('thread', inThread);
      workers.start();
      const ready = workers.readySlots();
      // Workers still loading: this batch does not wait for them.
      if (ready.length === 0) return timed('fallback', inThread);
      try {
        return await timed('pool', () => verifyOnWorkers(ready, batch, bankKeys, options.verifier));
      } catch (e) {
        // A worker that exited was reported when it exited; anything else is reported here.
        if (!isWorkerGone(e))
          options.onWorkerError?.(e instanceof Error ? e : new Error(String(e)));
        return timed('fallback', inThread);
      }
    },
    ready: () => workers.ready(),
    close: () => workers.close(),
  };
}

/**
 * The payer signatures go to the workers first — one packed, transferred message per worker,
 * each worker an equal share — and this thread checks the ~40 distinct certificates while they
 * run; each entry then gets what {@link verifyEntriesInThread} gives it: its certificate's code,
 * else its signature's. Signatures under a failing certificate are checked and ignored.
 */
async function verifyOnWorkers(
  workers: readonly WorkerSlot[],
  batch: Parameters<EntryVerifier>[0],
  bankKeys: Parameters<EntryVerifier>[1],
  verifier: Verifier,
): Promise<BatchEntry[]> {
  const payments = batch.entries;
  const chunk = Math.ceil(payments.length / workers.length);
  const answers = workers
    .map((w, i) => ({ w, from: i * chunk, to: Math.min((i + 1) * chunk, payments.length) }))
    .filter(({ from, to }) => to > from)
    .map(async ({ w, from, to }) => {
      const answer = await w.run(
        packPrefixedJobs(to - from, (k) => payerSignatureJob(payments[from + k]!)),
      );
      // One verdict per job, or the batch is checked in-thread (the caller's fallback).
      if (answer.length !== to - from) throw new Error('verify worker: wrong number of verdicts');
      return answer;
    });
  const certCodes = certificateCodes(payments, bankKeys, verifier);
  const verdicts = await Promise.all(answers);
  return payments.map((payment, i) => ({
    index: batch.fromIndex + i,
    payment,
    signatureCode:
      certCodes[i] ??
      (verdicts[Math.floor(i / chunk)]?.[i % chunk] === 1 ? null : SIGNATURE_INVALID),
  }));
}

/** What `verifyPayerSignature` throws for a payer signature that does not verify (rules.ts). */
const SIGNATURE_INVALID = 'PROTO_SIGNATURE_INVALID' satisfies ProtoErrorCode;

/** The signed bytes' prefix: `signedBytes(label, tbs)` is this label's encoding, then the tbs. */
const PAYMENT_PREFIX = signedBytes(SIGN_LABEL.payment, new Uint8Array(0));

/** Step 4 of docs/protocol.md §6 as a job: the payer's key over the payment's signed bytes. */
const payerSignatureJob = (p: Payment): PrefixedJob => ({
  signature: p.signature,
  prefix: PAYMENT_PREFIX,
  body: p.tbs,
  publicKey: p.payerCert.signKey,
});

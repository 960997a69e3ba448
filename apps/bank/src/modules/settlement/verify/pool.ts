/**
 * Settlement's signature checks spread over worker threads (issue #5 "Speed"): an
 * {@link EntryVerifier} that gives exactly the answer of `verifyEntriesInThread`, because it IS
 * that function — run once with a recording verifier to learn which signatures it checks, and
 * once more answering from the verdicts the workers computed. Small batches stay in this thread
 * (a worker round trip costs more than a few checks); a worker that is not ready, crashes or
 * stops answering makes the batch verify in this thread instead — slower, never wrong.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { equalBytes } from '@offpay/crypto';
import type { Verifier } from '@offpay/protocol';
import type { BatchEntry } from '../settlement.domain.js';
import type { EntryVerifier } from '../settlement.ports.js';
import { verifyEntriesInThread } from '../settlement.verify.js';
import { packJobs, type SignatureJob } from './jobs.js';
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

/** Records the checks, has the workers answer them, and replays the in-thread function. */
async function verifyOnWorkers(
  workers: readonly WorkerSlot[],
  batch: Parameters<EntryVerifier>[0],
  bankKeys: Parameters<EntryVerifier>[1],
  verifier: Verifier,
): Promise<BatchEntry[]> {
  const jobs: SignatureJob[] = [];
  verifyEntriesInThread(batch, bankKeys, (signature, message, publicKey) => {
    jobs.push({ signature, message, publicKey });
    return true; // every check passes here, so every check the real run could make is recorded
  });
  const chunk = Math.ceil(jobs.length / workers.length);
  const parts = await Promise.all(
    workers
      .map((w, i) => ({ w, part: jobs.slice(i * chunk, (i + 1) * chunk) }))
      .filter(({ part }) => part.length > 0)
      .map(({ w, part }) => w.run(packJobs(part))),
  );
  const verdicts = parts.flatMap((p) => [...p]);
  return verifyEntriesInThread(batch, bankKeys, replaying(jobs, verdicts, verifier));
}

/**
 * A verifier that answers from recorded verdicts. The real run makes a subsequence of the
 * recorded calls, in order (it skips a payment's check after its certificate failed), so a
 * cursor finds each; a call that matches nothing (never expected) is verified here.
 */
function replaying(jobs: SignatureJob[], verdicts: number[], verifier: Verifier): Verifier {
  let cursor = 0;
  return (signature, message, publicKey) => {
    while (cursor < jobs.length) {
      const i = cursor++;
      const j = jobs[i]!;
      if (
        j.signature === signature &&
        equalBytes(j.message, message) &&
        equalBytes(j.publicKey, publicKey)
      )
        return verdicts[i] === 1;
    }
    return verifier(signature, message, publicKey);
  };
}

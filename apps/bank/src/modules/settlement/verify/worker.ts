/**
 * A verify worker (worker_threads): checks packed signature jobs with its own native verifier and
 * key cache, and answers one verdict byte per job. Started by pool.ts; it says `ready` once
 * loaded, so the pool knows a round trip will not wait for module loading.
 */
import { parentPort } from 'node:worker_threads';
import { createNativeVerifier } from './native-verify.js';
import { runJobs } from './jobs.js';

/** A request from the pool. */
export interface VerifyRequest {
  id: number;
  jobs: ArrayBuffer;
}

/** An answer to the pool: verdicts, an error, or the one-time ready signal. */
export type VerifyResponse =
  { id: number; verdicts: Uint8Array } | { id: number; error: string } | { ready: true };

const port = parentPort;
if (port) {
  const verifier = createNativeVerifier();
  port.on('message', ({ id, jobs }: VerifyRequest) => {
    try {
      const verdicts = runJobs(jobs, verifier);
      port.postMessage({ id, verdicts } satisfies VerifyResponse, [verdicts.buffer]);
    } catch (e) {
      port.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
    }
  });
  port.postMessage({ ready: true } satisfies VerifyResponse);
}

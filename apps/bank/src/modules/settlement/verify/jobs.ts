/**
 * Signature checks as one compact message between the bank's thread and its verify workers: the
 * bytes a {@link Verifier} is called with, packed into one transferable `ArrayBuffer` (no hex, no
 * per-field structured clone), and the verdicts as one byte each.
 *
 * Layout (little-endian): `u32 count`, then `count × (u32 sigLen, u32 msgLen, u32 keyLen)`, then
 * every job's signature, message and key bytes in job order.
 */
import type { Verifier } from '@offpay/protocol';

/** One signature check: exactly the arguments of a {@link Verifier} call. */
export interface SignatureJob {
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * A job whose message is `prefix ‖ body` (a signing label, then the tbs): packed as that one
 * message without concatenating the two first.
 */
export interface PrefixedJob {
  signature: Uint8Array;
  prefix: Uint8Array;
  body: Uint8Array;
  publicKey: Uint8Array;
}

/** Most jobs in one message: two checks per entry of the largest batch, with room to spare. */
export const MAX_JOBS = 4096;

/**
 * Packs jobs into one buffer (copies the bytes, so the caller may transfer it).
 * @throws RangeError when there are more than {@link MAX_JOBS} jobs
 */
export function packJobs(jobs: readonly SignatureJob[]): ArrayBuffer {
  return packPrefixedJobs(jobs.length, (i) => {
    const j = jobs[i]!;
    return { signature: j.signature, prefix: EMPTY, body: j.message, publicKey: j.publicKey };
  });
}

const EMPTY = new Uint8Array(0);

/**
 * Packs `count` jobs whose messages are `prefix ‖ body` into one buffer, in the layout of
 * {@link packJobs}: the bytes are copied once, straight from the caller's views; `jobAt` is
 * called twice per job (sizes, then bytes), so no list of jobs is built.
 * @throws RangeError when there are more than {@link MAX_JOBS} jobs
 */
export function packPrefixedJobs(count: number, jobAt: (i: number) => PrefixedJob): ArrayBuffer {
  if (count > MAX_JOBS) throw new RangeError(`jobs: at most ${MAX_JOBS}, got ${count}`);
  const header = 4 + count * 12;
  let size = header;
  for (let i = 0; i < count; i++) {
    const j = jobAt(i);
    size += j.signature.length + j.prefix.length + j.body.length + j.publicKey.length;
  }
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, count, true);
  let offset = header;
  const put = (part: Uint8Array) => {
    bytes.set(part, offset);
    offset += part.length;
  };
  for (let i = 0; i < count; i++) {
    const j = jobAt(i);
    view.setUint32(4 + i * 12, j.signature.length, true);
    view.setUint32(8 + i * 12, j.prefix.length + j.body.length, true);
    view.setUint32(12 + i * 12, j.publicKey.length, true);
    put(j.signature);
    put(j.prefix);
    put(j.body);
    put(j.publicKey);
  }
  return buffer;
}

/**
 * Reads jobs back as views into `buffer` (no copy).
 * @throws RangeError when the buffer is not a well-formed message
 */
export function unpackJobs(buffer: ArrayBuffer): SignatureJob[] {
  const view = new DataView(buffer);
  if (buffer.byteLength < 4) throw new RangeError('jobs: buffer shorter than its header');
  const count = view.getUint32(0, true);
  const header = 4 + count * 12;
  if (count > MAX_JOBS || header > buffer.byteLength)
    throw new RangeError(`jobs: bad count ${count}`);
  const jobs: SignatureJob[] = [];
  let offset = header;
  const take = (length: number): Uint8Array => {
    if (offset + length > buffer.byteLength) throw new RangeError('jobs: truncated buffer');
    const part = new Uint8Array(buffer, offset, length);
    offset += length;
    return part;
  };
  for (let i = 0; i < count; i++) {
    const signature = take(view.getUint32(4 + i * 12, true));
    const message = take(view.getUint32(8 + i * 12, true));
    const publicKey = take(view.getUint32(12 + i * 12, true));
    jobs.push({ signature, message, publicKey });
  }
  return jobs;
}

/** Runs every packed job through `verifier`: one byte per job, 1 when the signature verifies. */
export function runJobs(buffer: ArrayBuffer, verifier: Verifier): Uint8Array<ArrayBuffer> {
  const jobs = unpackJobs(buffer);
  const verdicts = new Uint8Array(jobs.length);
  jobs.forEach((j, i) => {
    verdicts[i] = verifier(j.signature, j.message, j.publicKey) ? 1 : 0;
  });
  return verdicts;
}

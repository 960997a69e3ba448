/**
 * What every scenario shares: its seed (printed, settable with PROOF_SEED), a deterministic
 * random source, the CI or long size of each figure (PROOF_LONG=1), and the summary line each
 * scenario prints — the figures docs/operations.md "Failure modes" quotes.
 */
import { appendFileSync } from 'node:fs';

/** True for the long run (`pnpm proof:long`). */
export const LONG = process.env['PROOF_LONG'] === '1';

/** The CI figure, or the long one. */
export function size(ci: number, long: number): number {
  return LONG ? long : ci;
}

/** The scenario's seed: PROOF_SEED when set, else a fresh one (printed in the summary). */
export function seed(): number {
  const fixed = process.env['PROOF_SEED'];
  const value = fixed ? Number(fixed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  // Printed before the scenario runs, so a failing run names the seed that replays it.
  console.log(`[proof] seed=${value} (PROOF_SEED=${value} replays it)`);
  return value;
}

/** mulberry32: a small, fast PRNG; the same seed gives the same sequence. */
export function rng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function pick(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** The figures of one scenario. */
export interface Figures {
  seed: number;
  trials?: number;
  requests?: number;
  inputs?: number;
  fiveHundreds: number;
  violations: number;
  [more: string]: number | undefined;
}

/**
 * Prints `[proof] <scenario>: seed=… trials=… requests=… inputs=… 5xx=… violations=…` and appends
 * it to PROOF_SUMMARY_FILE when set (the docs table copies these lines).
 */
export function summary(scenario: string, f: Figures): string {
  const parts = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k === 'fiveHundreds' ? '5xx' : k}=${v}`);
  const line = `[proof] ${scenario}${LONG ? ' (long)' : ''}: ${parts.join(' ')}`;
  console.log(line);
  const file = process.env['PROOF_SUMMARY_FILE'];
  if (file) appendFileSync(file, `${line}\n`);
  return line;
}

/** Shared helpers for the crypto tests: vector loading and small byte utilities. */
import { readFileSync } from 'node:fs';
import { fromHex } from '../src/index.js';

/** Parses a JSON file under `test/vectors/` (paths relative to this file, not the CWD). */
export function readVector<T>(relativePath: string): T {
  const url = new URL(`./vectors/${relativePath}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

/** Hex to bytes (alias kept short for vector code). */
export const hex = fromHex;

/** The fields every Wycheproof test case carries. */
export interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
}

/** A Wycheproof file: groups of cases with group-level parameters `G`. */
export interface WycheproofFile<G, T extends WycheproofCase> {
  algorithm: string;
  numberOfTests: number;
  testGroups: (G & { tests: T[] })[];
}

/** Counts of processed cases by result, and the failures as readable lines naming the tcId. */
export interface Tally {
  valid: number;
  invalid: number;
  acceptable: number;
  failures: string[];
}

/**
 * Runs `check` over every case of every group and tallies them. `check` returns `null` when the
 * case behaves as expected, or a short reason; a thrown error is a failure too.
 */
export function runCases<G, T extends WycheproofCase>(
  groups: readonly (G & { tests: T[] })[],
  check: (test: T, group: G) => string | null,
): Tally {
  const tally: Tally = { valid: 0, invalid: 0, acceptable: 0, failures: [] };
  for (const group of groups) {
    for (const test of group.tests) {
      tally[test.result] += 1;
      let reason: string | null;
      try {
        reason = check(test, group);
      } catch (e) {
        reason = `threw ${String(e)}`;
      }
      if (reason !== null) {
        tally.failures.push(`tcId ${test.tcId} (${test.result}, ${test.comment}): ${reason}`);
      }
    }
  }
  return tally;
}

/** A copy of `bytes` with byte `index` XORed with `mask` (1..255). */
export function flipByte(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = new Uint8Array(bytes);
  out[index] = out[index]! ^ mask;
  return out;
}

/** The thrown value of `fn`, or a failure when it returns normally. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to throw');
}

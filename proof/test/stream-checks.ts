/**
 * What every fault-during-a-stream scenario asserts once its faults are over: no bank process
 * exited, every answer was 200 or 503 with Retry-After, each till holds exactly what it was paid,
 * and the ledger reconciles. Returns the reconcile report for the scenario's summary line.
 */
import { expect } from 'vitest';
import { customerBalance } from '../src/balances.js';
import type { Payee } from '../src/client.js';
import type { StreamFigures } from '../src/stream.js';
import type { World } from '../src/world.js';

export async function expectStreamSurvived(
  world: World,
  payees: readonly Payee[],
  f: StreamFigures,
): Promise<Awaited<ReturnType<World['reconcile']>>> {
  expect(world.exits(), 'no bank process exits').toEqual([]);
  expect(f.unexpected, 'only 200 or 503 answers').toEqual([]);
  expect(f.withoutRetryAfter, '503 always carries Retry-After').toBe(0);
  for (const p of payees) expect(await customerBalance(world.url, p.user)).toBe(f.paid.get(p));
  return world.reconcile();
}

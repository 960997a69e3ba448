// The layer rules (.dependency-cruiser.cjs) catch what they promise: depcruise, run with the
// workspace's configuration on small fixture trees laid out like the workspace, fails on a
// cycle (through a type-only import too) and on each layer breach, and passes a tree that only
// imports downwards. Run by `pnpm test` (`pnpm deps`), with node's own test runner.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = `${ROOT}.dependency-cruiser.cjs`;
const DEPCRUISE = `${ROOT}node_modules/.bin/depcruise`;

/**
 * depcruise on fixture `name` as `pnpm deps` runs it: its exit status, and each violation it
 * prints as "rule: from → to" (a cycle by its first step).
 */
function cruise(name) {
  const cwd = fileURLToPath(new URL(`./fixtures/${name}/`, import.meta.url));
  const run = spawnSync(DEPCRUISE, ['.', '--config', CONFIG, '--output-type', 'err'], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(run.error, undefined);
  const violations = [...run.stdout.matchAll(/error (\S+): (\S+) →\s+(\S+)/g)].map(
    ([, rule, from, to]) => `${rule}: ${from} → ${to}`,
  );
  return { status: run.status, violations: violations.sort() };
}

test('a cycle fails the check, even when one of its imports is type-only', () => {
  const { status, violations } = cruise('cycle');
  assert.notEqual(status, 0);
  assert.deepEqual(violations, [
    'no-circular: packages/protocol/src/format.ts → packages/protocol/src/money.ts',
  ]);
});

test('each layer breach fails the check under its own rule', () => {
  const { status, violations } = cruise('layers');
  assert.notEqual(status, 0);
  assert.deepEqual(violations, [
    'browser-code-no-node-builtins: packages/app-kit/src/files.ts → fs',
    'crypto-is-the-base: packages/crypto/src/hash.ts → packages/protocol/src/index.ts',
    'domain-imports-no-driver-module: apps/bank/src/modules/fees/fees.domain.ts → apps/bank/src/modules/fees/fees.repo.ts',
    'domain-imports-no-driver: apps/bank/src/modules/fees/fees.domain.ts → fs',
    'nothing-imports-an-app: apps/receiver/src/main.ts → apps/sender/src/main.ts',
    'packages-import-no-app: packages/api/src/routes.ts → apps/sender/src/main.ts',
  ]);
});

test('a tree that only imports downwards passes', () => {
  const { status, violations } = cruise('clean');
  assert.deepEqual(violations, []);
  assert.equal(status, 0);
});

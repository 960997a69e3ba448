/**
 * Runs the bank's reconciliation command (`apps/bank/scripts/reconcile.ts`, what
 * `pnpm --filter @offpay/bank reconcile` runs) against a scenario's database, as an operator
 * would after a fault, and reads its JSON report.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BANK_DIR } from './bank-process.js';

/** One violation as the command reports it. */
export interface ReportedViolation {
  code: string;
  message: string;
  rows: Record<string, unknown>[];
}

/** The command's JSON report. */
export interface ReconcileOutput {
  violations: ReportedViolation[];
  checked: { certificates: number; settlements: number; payments: number; proofs: number };
}

/** Runs reconcile on `databaseUrl`; throws when it cannot run (exit 2), returns the report. */
export async function reconcile(databaseUrl: string): Promise<ReconcileOutput> {
  const run = promisify(execFile);
  const out = await run(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', '--json'], {
    cwd: BANK_DIR,
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
    if (err.code === 1 && err.stdout) return { stdout: err.stdout };
    throw new Error(`reconcile could not run (exit ${err.code}): ${err.stderr ?? ''}`);
  });
  return JSON.parse(out.stdout) as ReconcileOutput;
}

/**
 * The benchmark harness every package's `pnpm bench` uses: warm up, then time single calls for a
 * fixed wall-clock budget and report throughput and median latency. Figures are informative only;
 * no test asserts on time (they are recorded in docs/PERFORMANCE.md).
 */
import os from 'node:os';

/** One measured case. */
export interface BenchRow {
  name: string;
  opsPerSecond: number;
  medianMicros: number;
  samples: number;
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` for `warmupMs` untimed, then for `runMs` timing every call. */
export function measure(name: string, fn: () => unknown, runMs = 1500, warmupMs = 300): BenchRow {
  const warmupEnd = performance.now() + warmupMs;
  while (performance.now() < warmupEnd) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < runMs) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const elapsedMs = performance.now() - start;
  return {
    name,
    opsPerSecond: samples.length / (elapsedMs / 1000),
    medianMicros: median(samples),
    samples: samples.length,
  };
}

/** Median wall time in ms of `fn` over `runs` runs, after one warm-up run. */
export function measureTotal(runs: number, fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/** The machine and date line every figure is recorded with. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}, ${new Date().toISOString().slice(0, 10)}`;
}

/** A Markdown table of rows. */
export function table(rows: BenchRow[]): string {
  const lines = ['| case | ops/s | median µs | samples |', '|---|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${Math.round(r.opsPerSecond).toLocaleString('en')} | ${r.medianMicros.toFixed(1)} | ${r.samples} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The apps' payment paths in headless Chromium (`pnpm bench`): builds page/ with Vite, serves it,
 * runs it in Debian Chromium unthrottled and then with CPU throttling at 4× (a mid-range phone,
 * `Emulation.setCPUThrottlingRate` over CDP), and prints the medians beside the targets of
 * issue #14 (throttled: wallet ≤ 15 ms, till ≤ 20 ms), and the IndexedDB requests, transactions
 * and Web Locks each path asks for per payment (the same on any host). `BENCH_PROFILE=file.cpuprofile`
 * records a CDP CPU profile of the throttled run and prints its heaviest functions (self and
 * inclusive time).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { chromium } from 'playwright-core';
import { machineLine, median } from '../../tools/bench-harness.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/browser.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 100);
const THROTTLE = 4;
const TARGETS = { wallet: 15, till: 20 } as const;
const PROFILE = process.env['BENCH_PROFILE'];
const root = join(import.meta.dirname, 'page');

await build({
  root,
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', minify: !PROFILE },
});
const server = await preview({
  root,
  logLevel: 'warn',
  preview: { port: 0, host: '127.0.0.1', open: false },
});
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('no preview address');
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: CHROMIUM_ARGS,
});
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  // The page's main-thread CPU time (CDP's ThreadTime) around each accept: what the accept costs
  // the thread, which moves far less with the host's load than its wall time does.
  await cdp.send('Performance.enable');
  const acceptCpu: number[] = [];
  let cpuMark = 0;
  await page.exposeFunction('offpayCpuMark', async (phase: 'start' | 'end') => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const threadTime = metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN;
    if (phase === 'start') cpuMark = threadTime;
    else acceptCpu.push((threadTime - cpuMark) * 1000);
  });
  const cpuOf = async <T>(run: () => Promise<T>): Promise<{ result: T; cpu: number[] }> => {
    acceptCpu.length = 0;
    const result = await run();
    return { result, cpu: acceptCpu.splice(0) };
  };
  await page.goto(url);
  await page.waitForFunction(
    () => (window as unknown as { offpayBenchReady?: boolean }).offpayBenchReady === true,
  );
  const runOnce = (noble: boolean) =>
    page.evaluate(
      ([n, w, nb]) =>
        (
          window as unknown as {
            offpayBench: (
              n: number,
              w: number,
              noble: boolean,
            ) => Promise<{
              pay: number[];
              prepare: number[];
              accept: number[];
              requests: Record<'pay' | 'accept', Record<'idb' | 'transactions' | 'locks', number>>;
              sealedBytes: number;
              userAgent: string;
              native: boolean;
            }>;
          }
        ).offpayBench(n, w as number, nb),
      [ITERATIONS, 10, noble] as const,
    );
  const runParts = () =>
    page.evaluate(
      (n) =>
        (
          window as unknown as { offpayParts: (n: number) => Promise<Record<string, number>> }
        ).offpayParts(n),
      30,
    );
  const load0 = os.loadavg()[0]!;
  // BENCH_NOBLE=1 also times the noble fallback (WebCrypto P-256 off), in the same run.
  const compare = process.env['BENCH_NOBLE'] === '1';
  const fastNoble = compare ? await runOnce(true) : undefined;
  const { result: fast, cpu: fastCpu } = await cpuOf(() => runOnce(false));
  const fastParts = await runParts();
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  const slowParts = await runParts();
  const slowNoble = compare ? await runOnce(true) : undefined;
  if (PROFILE) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const slow = await runOnce(false);
  const profile = PROFILE ? (await cdp.send('Profiler.stop')).profile : undefined;
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const load1 = os.loadavg()[0]!;

  const chrome = /Chrome\/[\d.]+/.exec(fast.userAgent)?.[0] ?? fast.userAgent;
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { m: median(xs), p90: sorted[Math.floor(sorted.length * 0.9)]! };
  };
  const row = (name: string, a: number[], b: number[], target?: number) => {
    const f = stats(a);
    const s = stats(b);
    const verdict =
      target === undefined
        ? '—'
        : s.m <= target
          ? `≤ ${target} ms: met`
          : `> ${target} ms: NOT met (+${(s.m - target).toFixed(1)} ms)`;
    return `| ${name} | ${f.m.toFixed(1)} | ${f.p90.toFixed(1)} | ${s.m.toFixed(1)} | ${s.p90.toFixed(1)} | ${verdict} |`;
  };
  console.log(
    `\n${machineLine()}, headless ${chrome}, ${ITERATIONS} payments (after 10 warm-up) per run, ` +
      `WebCrypto P-256 ${fast.native ? 'native' : 'unavailable (noble)'}, ` +
      `load average (1 min) ${load0.toFixed(2)} before, ${load1.toFixed(2)} after\n`,
  );
  console.log(
    `| path (in the browser, real IndexedDB) | median ms | p90 ms | ${THROTTLE}× median ms | ${THROTTLE}× p90 ms | target (${THROTTLE}×) |`,
  );
  console.log('|---|---:|---:|---:|---:|---|');
  console.log(
    row('wallet: check the scanned request (preparePayment)', fast.prepare, slow.prepare),
  );
  console.log(
    row(
      'wallet: create + seal + store + render the payment QR',
      fast.pay,
      slow.pay,
      TARGETS.wallet,
    ),
  );
  console.log(
    row(
      'till: decode + open + verify + append to the ledger (+ receipt)',
      fast.accept,
      slow.accept,
      TARGETS.till,
    ),
  );
  if (fastNoble && slowNoble) {
    console.log(
      row(
        'wallet: the same with noble (no WebCrypto)',
        fastNoble.pay,
        slowNoble.pay,
        TARGETS.wallet,
      ),
    );
    console.log(
      row(
        'till: the same with noble (no WebCrypto)',
        fastNoble.accept,
        slowNoble.accept,
        TARGETS.till,
      ),
    );
  }
  // The warm-up's accepts are left out, as in the timings. Unthrottled only: under CPU throttling
  // ThreadTime also counts the time the throttler holds the thread.
  console.log(
    `\ntill, accept: main-thread CPU (CDP ThreadTime, unthrottled) median ` +
      `${median(fastCpu.slice(-ITERATIONS)).toFixed(2)} ms`,
  );
  console.log(`\nsealed payment: ${fast.sealedBytes} bytes`);
  // Round trips to the browser's storage and lock service per payment: the same on any host.
  const asked = (r: Record<'idb' | 'transactions' | 'locks', number>) =>
    `${r.idb} IndexedDB requests in ${r.transactions} transaction(s), ${r.locks} Web Lock(s)`;
  console.log(`wallet, create + store: ${asked(fast.requests.pay)}`);
  console.log(`till, accept: ${asked(fast.requests.accept)}`);
  console.log(`\nThe parts, each timed alone (median of 30):\n`);
  console.log(`| part | median ms | ${THROTTLE}× median ms |`);
  console.log('|---|---:|---:|');
  for (const [name, ms] of Object.entries(fastParts)) {
    console.log(`| ${name} | ${ms.toFixed(2)} | ${slowParts[name]!.toFixed(2)} |`);
  }
  if (profile && PROFILE) {
    writeFileSync(PROFILE, JSON.stringify(profile));
    printHeaviest(profile);
  }
} finally {
  await browser.close();
  await server.close();
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples?: number[];
  timeDeltas?: number[];
}

/** The 25 functions with the most self time in a CDP CPU profile, then the most inclusive time. */
function printHeaviest(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  samples.forEach((id, i) => {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    total += dt;
    self.set(keyOf(id), (self.get(keyOf(id)) ?? 0) + dt);
    // Each function on the sample's stack once (recursion counted once).
    const onStack = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) onStack.add(keyOf(n));
    for (const key of onStack) inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  });
  const print = (what: string, times: Map<string, number>, skip: (key: string) => boolean) => {
    console.log(`\nprofile (${THROTTLE}×), ${what} of ${total.toFixed(0)} ms:`);
    const rows = [...times].filter(([key]) => !skip(key)).sort((a, b) => b[1] - a[1]);
    for (const [key, ms] of rows.slice(0, 25)) {
      console.log(
        `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${key}`,
      );
    }
  };
  print('self time', self, () => false);
  print('inclusive time', inclusive, (key) => key.startsWith('(root)'));
}

/**
 * The apps' payment paths in headless Chromium (`pnpm bench`, issue #6 target: median ≤ 30 ms
 * each): builds page/ with Vite, serves it, runs it in Debian Chromium and prints the medians.
 */
import { join } from 'node:path';
import { build, preview } from 'vite';
import { chromium } from 'playwright-core';
import { machineLine, median } from '../../tools/bench-harness.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/support/browser.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 100);
const TARGET_MS = 30;
const root = join(import.meta.dirname, 'page');

await build({
  root,
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
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
  await page.goto(url);
  await page.waitForFunction(
    () => (window as unknown as { offpayBenchReady?: boolean }).offpayBenchReady === true,
  );
  const r = await page.evaluate(
    ([n, w]) =>
      (
        window as unknown as {
          offpayBench: (
            n: number,
            w: number,
          ) => Promise<{
            pay: number[];
            prepare: number[];
            accept: number[];
            sealedBytes: number;
            userAgent: string;
          }>;
        }
      ).offpayBench(n!, w!),
    [ITERATIONS, 10],
  );
  const chrome = /Chrome\/[\d.]+/.exec(r.userAgent)?.[0] ?? r.userAgent;
  const row = (name: string, xs: number[], target?: number) => {
    const m = median(xs);
    const sorted = [...xs].sort((a, b) => a - b);
    const p90 = sorted[Math.floor(sorted.length * 0.9)]!;
    const verdict =
      target === undefined ? '—' : m <= target ? `≤ ${target} ms: met` : `> ${target} ms: NOT met`;
    return `| ${name} | ${m.toFixed(1)} | ${p90.toFixed(1)} | ${verdict} |`;
  };
  console.log(
    `\n${machineLine()}, headless ${chrome}, ${ITERATIONS} payments (after 10 warm-up)\n`,
  );
  console.log('| path (in the browser, real IndexedDB) | median ms | p90 ms | target |');
  console.log('|---|---:|---:|---|');
  console.log(row('wallet: check the scanned request (preparePayment)', r.prepare));
  console.log(row('wallet: create + seal + store + render the payment QR', r.pay, TARGET_MS));
  console.log(
    row('till: decode + open + verify + append to the ledger (+ receipt)', r.accept, TARGET_MS),
  );
  console.log(`\nsealed payment: ${r.sealedBytes} bytes`);
} finally {
  await browser.close();
  await server.close();
}

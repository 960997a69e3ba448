/**
 * One verify worker thread and the requests waiting on it. A worker that dies (crash, exit,
 * timeout, termination) rejects everything it still owed; the pool then verifies in-thread.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { VerifyRequest, VerifyResponse } from './worker.js';

/** A request rejected because its worker exited (already reported when it exited). */
export class WorkerGone extends Error {
  override readonly name = 'WorkerGone';
}

/** True when `e` is a {@link WorkerGone}: matched by name, not class. */
export function isWorkerGone(e: unknown): e is WorkerGone {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'WorkerGone';
}

interface Waiting {
  resolve(verdicts: Uint8Array): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * How to start a worker from `url`. A `.ts` worker needs tsx, but on Node 20 a worker's entry
 * module is loaded before any `--import` hook in its execArgv takes effect (nodejs/node#47747,
 * privatenumber/tsx#354), under `tsx src/server.ts` and vitest alike. So a tiny JavaScript entry
 * registers tsx through its API and then imports the `.ts` module; tsx flags inherited from this
 * process are dropped so it is not registered twice.
 */
export function workerStart(url: URL): { entry: string | URL; options: WorkerOptions } {
  if (!url.pathname.endsWith('.ts')) return { entry: url, options: {} };
  const execArgv = process.execArgv.filter(
    (arg, i, all) => !arg.includes('tsx') && !(all[i + 1] ?? '').includes('tsx'),
  );
  const entry =
    `import(${JSON.stringify(tsxApiUrl())})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return { entry, options: { eval: true, execArgv } };
}

/** tsx's ESM API module, as its package.json exports it. */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api'].import.default))
    .href;
}

/** A worker thread that answers packed signature jobs. */
export class WorkerSlot {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  readonly #timeoutMs: number;
  #nextId = 0;
  /** True once the worker has loaded and said so. */
  ready = false;
  /** True once the worker has exited, for whatever reason. */
  dead = false;
  /** Settles when the worker is ready or dead, whichever comes first. */
  readonly started: Promise<void>;
  #started!: () => void;

  constructor(url: URL, timeoutMs: number, onExit: (slot: WorkerSlot, err: Error) => void) {
    this.#timeoutMs = timeoutMs;
    this.started = new Promise((resolve) => (this.#started = resolve));
    const { entry, options } = workerStart(url);
    this.#worker = new Worker(entry, options);
    this.#worker.unref();
    this.#worker.on('message', (m: VerifyResponse) => this.#answer(m));
    // An uncaught exception in the worker: it exits next, and that exit is what gets reported.
    let cause = '';
    this.#worker.on('error', (err) => {
      cause = `: ${err.message}`;
      this.#fail(new WorkerGone(err.message));
    });
    this.#worker.on('exit', (code) => {
      const err = new WorkerGone(`verify worker exited with code ${code}${cause}`);
      this.#fail(err);
      onExit(this, err);
    });
  }

  /** Verdicts for packed `jobs` (the buffer is transferred). Rejects if the worker dies first. */
  run(jobs: ArrayBuffer): Promise<Uint8Array> {
    if (this.dead) return Promise.reject(new WorkerGone('verify worker is not running'));
    const id = this.#nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A worker that stops answering is stopped; its exit rejects what it owed.
        void this.#worker.terminate();
      }, this.#timeoutMs);
      timer.unref();
      this.#waiting.set(id, { resolve, reject, timer });
      this.#worker.ref(); // keep the process alive while an answer is owed
      this.#worker.postMessage({ id, jobs } satisfies VerifyRequest, [jobs]);
    });
  }

  /** Stops the worker; pending requests are rejected. */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  #answer(m: VerifyResponse): void {
    if ('ready' in m) {
      this.ready = true;
      this.#started();
      return;
    }
    const waiting = this.#waiting.get(m.id);
    if (!waiting) return;
    this.#settle(m.id, waiting);
    if ('verdicts' in m) waiting.resolve(m.verdicts);
    else waiting.reject(new Error(`verify worker failed: ${m.error}`));
  }

  #fail(err: Error): void {
    this.dead = true;
    this.ready = false;
    this.#started();
    for (const [id, waiting] of this.#waiting) {
      this.#settle(id, waiting);
      waiting.reject(err);
    }
  }

  #settle(id: number, waiting: Waiting): void {
    clearTimeout(waiting.timer);
    this.#waiting.delete(id);
    if (this.#waiting.size === 0) this.#worker.unref();
  }
}

/**
 * A fixed number of worker slots, started on demand. A slot whose worker exits is started again
 * on demand within a budget, so a worker that cannot start at all is not restarted for ever.
 */
export class WorkerSet {
  readonly #slots: (WorkerSlot | null)[];
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #onExit: (err: Error) => void;
  #startsLeft: number;
  /** True once {@link WorkerSet.close} was called. */
  closed = false;

  constructor(
    options: { size: number; url: URL; timeoutMs: number; maxRestarts: number },
    onExit: (err: Error) => void,
  ) {
    this.#slots = Array.from({ length: options.size }, () => null);
    this.#url = options.url;
    this.#timeoutMs = options.timeoutMs;
    this.#startsLeft = options.size + options.maxRestarts;
    this.#onExit = onExit;
  }

  /** Starts a worker in every empty slot, within the budget. */
  start(): void {
    for (let i = 0; i < this.#slots.length && !this.closed; i++) {
      if (this.#slots[i] || this.#startsLeft <= 0) continue;
      this.#startsLeft--;
      this.#slots[i] = new WorkerSlot(this.#url, this.#timeoutMs, (slot, err) => {
        if (this.closed) return;
        const at = this.#slots.indexOf(slot);
        if (at !== -1) this.#slots[at] = null;
        this.#onExit(err);
      });
    }
  }

  /** The workers that have loaded and are running. */
  readySlots(): WorkerSlot[] {
    return this.#slots.filter((s): s is WorkerSlot => s !== null && s.ready);
  }

  /** Starts the workers and waits until each is ready or dead. */
  async ready(): Promise<void> {
    this.start();
    await Promise.all(this.#slots.flatMap((s) => (s ? [s.started] : [])));
  }

  /** Stops every worker for good. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.#slots.flatMap((s) => (s ? [s.terminate()] : [])));
  }
}

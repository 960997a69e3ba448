/**
 * Pausing a Redis that does not answer (kv/redis.ts): after a command times out, every call fails
 * at once for {@link REDIS_PAUSE_MS}, then the next one tries again.
 */
/** Longest wait for one Redis reply. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;
/** After a command times out, how long every call skips Redis before one tries again. */
export const REDIS_PAUSE_MS = 5_000;

/** Runs Redis calls unless Redis recently stopped answering (see the file's comment). */
export class Breaker {
  #pausedUntil = 0;

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.paused) {
      throw new Error('Redis is not answering; skipped for a few seconds');
    }
    try {
      const result = await call();
      this.#pausedUntil = 0;
      return result;
    } catch (err) {
      if (isTimeout(err)) this.#pausedUntil = Date.now() + REDIS_PAUSE_MS;
      throw err;
    }
  }

  /** True while calls are skipped. */
  get paused(): boolean {
    return Date.now() < this.#pausedUntil;
  }

  /** A reply arrived outside {@link run} (the readiness probe): Redis answers again. */
  answered(): void {
    this.#pausedUntil = 0;
  }
}

/** True for ioredis's `commandTimeout` rejection. */
export const isTimeout = (err: unknown) => err instanceof Error && /timed out/i.test(err.message);

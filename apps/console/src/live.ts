/**
 * Keeping a server-sent event stream open: when it cannot be opened or it ends, it is opened
 * again after a growing wait (1 s, 2 s, 4 s … at most 30 s, with jitter so many consoles do not
 * come back at once); a stream that opened resets the wait. A refusal that will not change by
 * waiting (the session ended, the role may not read it) stops trying.
 */

/** The wait before attempt `attempt` (0 = the first retry), in ms; `random` in [0, 1). */
export function backoffMs(attempt: number, random: number = Math.random()): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  // ±20 % jitter.
  return Math.round(base * (0.8 + 0.4 * random));
}

/** Where the stream is, for the screen to say. */
export type LiveState =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'waiting'; retryInMs: number; error: unknown }
  | { state: 'stopped'; error: unknown };

/** What keepOpen needs: how to open the stream, and the clock (a test passes fakes). */
export interface KeepOpenOptions {
  /** Opens the stream; resolves once open; `onClose` runs once when it ends. */
  open(signal: AbortSignal, onClose: () => void): Promise<void>;
  /** True for a failure that waiting will not mend. */
  final(error: unknown): boolean;
  onState(state: LiveState): void;
  delay?: (attempt: number) => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** Keeps the stream open until `stop()`. */
export function keepOpen(options: KeepOpenOptions): { stop(): void } {
  const delay = options.delay ?? ((attempt: number) => backoffMs(attempt));
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer =
    options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const controller = new AbortController();
  let attempt = 0;
  let timer: unknown;

  const retry = (error: unknown): void => {
    if (controller.signal.aborted) return;
    if (options.final(error)) {
      options.onState({ state: 'stopped', error });
      return;
    }
    const retryInMs = delay(attempt++);
    options.onState({ state: 'waiting', retryInMs, error });
    timer = setTimer(connect, retryInMs);
  };

  function connect(): void {
    if (controller.signal.aborted) return;
    options.onState({ state: 'connecting' });
    let closed = false;
    const onClose = (): void => {
      if (closed) return;
      closed = true;
      retry(undefined);
    };
    options.open(controller.signal, onClose).then(
      () => {
        attempt = 0;
        if (!closed && !controller.signal.aborted) options.onState({ state: 'open' });
      },
      (error: unknown) => retry(error),
    );
  }

  connect();
  return {
    stop() {
      controller.abort();
      if (timer !== undefined) clearTimer(timer);
    },
  };
}

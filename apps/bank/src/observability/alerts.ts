/**
 * Alert-worthy patterns (DESIGN.md §5 "Operations", docs/operations.md "Alerts"): a source that
 * sends many bad signatures in a short time is probing or replaying forged payments. The detector
 * counts per source in fixed windows and reports a burst once per window; the caller logs it.
 */

/** Options of {@link createBurstDetector}. */
export interface BurstDetectorOptions {
  /** Events from one source within a window that make a burst. */
  threshold: number;
  /** Window length in seconds. */
  windowSeconds: number;
  /** The clock (the bank's, so tests move it). */
  now: () => Date;
  /** Called once per source and window, when its count reaches the threshold. */
  onBurst(source: string, count: number): void;
  /** Sources tracked at most (memory bound under a spray of addresses); default 10,000. */
  maxSources?: number;
}

/** Counts events per source. */
export interface BurstDetector {
  /** Records `count` events (default 1) from `source`. */
  record(source: string, count?: number): void;
}

interface Window {
  startMs: number;
  count: number;
  reported: boolean;
}

/** A per-source, fixed-window burst detector. */
export function createBurstDetector(options: BurstDetectorOptions): BurstDetector {
  const windows = new Map<string, Window>();
  const windowMs = options.windowSeconds * 1000;
  const maxSources = options.maxSources ?? 10_000;

  const makeRoom = (nowMs: number) => {
    for (const [source, w] of windows) if (nowMs - w.startMs >= windowMs) windows.delete(source);
    // Still full: forget the oldest windows (insertion order) rather than grow without bound.
    for (const source of windows.keys()) {
      if (windows.size < maxSources) break;
      windows.delete(source);
    }
  };

  return {
    record(source, count = 1) {
      if (count <= 0) return;
      const nowMs = options.now().getTime();
      let w = windows.get(source);
      if (!w || nowMs - w.startMs >= windowMs || nowMs < w.startMs) {
        if (!w && windows.size >= maxSources) makeRoom(nowMs);
        w = { startMs: nowMs, count: 0, reported: false };
        windows.set(source, w);
      }
      w.count += count;
      if (!w.reported && w.count >= options.threshold) {
        w.reported = true;
        options.onBurst(source, w.count);
      }
    },
  };
}

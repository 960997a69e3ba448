/**
 * One writer at a time for a named piece of state, across every tab of the app: the Web Locks API
 * where the browser has it, else a queue per name within this page (tests, old browsers). Not
 * re-entrant: never take the same lock inside `fn`.
 */
const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` holding the lock `name`; resolves or rejects as `fn` does. */
export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  if (locks) return locks.request(name, fn);
  const run = (queues.get(name) ?? Promise.resolve()).then(fn);
  queues.set(
    name,
    run.catch(() => undefined),
  );
  return run;
}

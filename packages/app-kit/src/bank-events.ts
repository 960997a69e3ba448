/**
 * The bank's server-sent event streams (GET /v1/settlements/events, GET /v1/operator/activity):
 * opened like any bank call, then read as server-sent events until the caller aborts. Each
 * event's data is parsed with its route's `event` schema; events off it are skipped.
 */
import type { EventOf, RouteSpec, routes } from '@offpay/api';
import { AppError } from './errors.js';
import { BANK_TIMEOUT_MS, readBounded, refusal, send, withTimeout } from './http.js';
import { SseParser } from './sse.js';

/** One answered batch as a payee's live stream carries it (no `signed`, no `replayed`). */
export type SettlementEvent = EventOf<typeof routes.settlementEvents>;
/** One entry's outcome in a settlement answer or event. */
export type SettledEntry = SettlementEvent['results'][number];

/** A route answered with server-sent events whose data its `event` schema describes. */
export type StreamRoute = RouteSpec & {
  contentType: 'text/event-stream';
  event: NonNullable<RouteSpec['event']>;
};

/** Options of BankClient.events and BankClient.stream. */
export interface EventStreamOptions {
  /** Called once when an open stream ends (abort, the bank closed it, or the network dropped). */
  onClose?: () => void;
  /**
   * The event types delivered (the `event:` field); by default every type whose data fits the
   * route's `event` schema.
   */
  types?: readonly string[];
}

/**
 * Opens the stream of `route` at `url` and reads it in the background. Resolves once it is open;
 * rejects before that like any call (an abort rejects with the signal's reason).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE (not an event stream); BankRefusal
 */
export async function openEvents<R extends StreamRoute>(
  fetchImpl: typeof fetch,
  route: R,
  url: string,
  auth: Record<string, string>,
  onEvent: (event: EventOf<R>, type: string) => void,
  signal: AbortSignal,
  options: EventStreamOptions,
): Promise<void> {
  const what = `GET ${route.path}`;
  // Opening the stream is timed; once the bank answered, the stream stays open until `signal`.
  const opening = withTimeout(BANK_TIMEOUT_MS, signal);
  const response = await send(fetchImpl, url, {
    method: 'GET',
    headers: { accept: 'text/event-stream', ...auth },
    cache: 'no-store',
    signal: opening.signal,
  }).finally(() => opening.clear());
  if (!response.ok) throw refusal(response.status, await readBounded(response, what), what);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new AppError('APP_BANK_RESPONSE', `The bank's answer to ${what} is not an event stream.`);
  }
  const deliver = (data: string, eventType: string): void => {
    if (options.types && !options.types.includes(eventType)) return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return; // not JSON: skipped
    }
    const parsed = route.event.safeParse(json);
    if (!parsed.success) return; // not an event of the contract's shape: skipped
    try {
      onEvent(parsed.data as EventOf<R>, eventType);
    } catch {
      // The app's handler failed on one event; later events still arrive.
    }
  };
  void pump(response.body, deliver, signal, options.onClose);
}

/** Reads the stream until it ends or `signal` aborts; never rejects. */
async function pump(
  body: ReadableStream<Uint8Array>,
  deliver: (data: string, type: string) => void,
  signal: AbortSignal,
  onClose: (() => void) | undefined,
): Promise<void> {
  const reader = body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    if (signal.aborted) return;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        deliver(event.data, event.event);
      }
    }
  } catch {
    // Aborted, the connection dropped, or an oversized event: the stream is over either way.
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
    try {
      onClose?.();
    } catch {
      // The caller's handler failing must not turn into an unhandled rejection.
    }
  }
}

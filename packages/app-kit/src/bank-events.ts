/**
 * The bank's live settlement events (GET /v1/settlements/events): opened like any bank call,
 * then read as server-sent events until the caller aborts. Each `settlement` event's data is
 * parsed with the contract's `routes.settlementEvents.event`; events off it are skipped.
 */
import { routes, type EventOf } from '@offpay/api';
import { AppError } from './errors.js';
import { BANK_TIMEOUT_MS, readBounded, refusal, send, withTimeout } from './http.js';
import { SseParser } from './sse.js';

/** One answered batch as a payee's live stream carries it (no `signed`, no `replayed`). */
export type SettlementEvent = EventOf<typeof routes.settlementEvents>;
/** One entry's outcome in a settlement answer or event. */
export type SettledEntry = SettlementEvent['results'][number];

/** Options of BankClient.events. */
export interface EventStreamOptions {
  /** Called once when an open stream ends (abort, the bank closed it, or the network dropped). */
  onClose?: () => void;
}

const WHAT = `GET ${routes.settlementEvents.path}`;

/**
 * Opens the stream at `url` and reads it in the background. Resolves once it is open; rejects
 * before that like any call (an abort rejects with the signal's reason).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE (not an event stream); BankRefusal
 */
export async function openEvents(
  fetchImpl: typeof fetch,
  url: string,
  auth: Record<string, string>,
  onEvent: (event: SettlementEvent) => void,
  signal: AbortSignal,
  options: EventStreamOptions,
): Promise<void> {
  // Opening the stream is timed; once the bank answered, the stream stays open until `signal`.
  const opening = withTimeout(BANK_TIMEOUT_MS, signal);
  const response = await send(fetchImpl, url, {
    method: 'GET',
    headers: { accept: 'text/event-stream', ...auth },
    cache: 'no-store',
    signal: opening.signal,
  }).finally(() => opening.clear());
  if (!response.ok) throw refusal(response.status, await readBounded(response, WHAT), WHAT);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new AppError('APP_BANK_RESPONSE', `The bank's answer to ${WHAT} is not an event stream.`);
  }
  void pump(response.body, onEvent, signal, options.onClose);
}

/** Reads the stream until it ends or `signal` aborts; never rejects. */
async function pump(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SettlementEvent) => void,
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
        if (event.event === 'settlement') deliver(event.data, onEvent);
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

function deliver(data: string, onEvent: (event: SettlementEvent) => void): void {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return; // not JSON: skipped
  }
  const parsed = routes.settlementEvents.event.safeParse(json);
  if (!parsed.success) return; // not a settlement event of the contract's shape: skipped
  try {
    onEvent(parsed.data);
  } catch {
    // The app's handler failed on one event; later events still arrive.
  }
}

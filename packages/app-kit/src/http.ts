/**
 * The bank client's HTTP edge: bounded bodies and one mapping of failures to coded errors.
 * - fetch rejects (no network, DNS, CORS) or the body breaks off → AppError APP_OFFLINE
 * - a non-2xx answer with the bank's `{code, message, details}` → BankRefusal
 * - a 502/503/504 without it (a proxy in front of a bank that is down) → AppError APP_OFFLINE
 * - anything else unreadable → AppError APP_BANK_RESPONSE
 * Messages never hold a token, a password or a body: only the route and the status.
 */
import { AppError, BankRefusal } from './errors.js';
import { isRecord, ShapeError } from './guards.js';

/** Largest bank answer read, in bytes (a settlement result of 1000 entries is well under). */
export const MAX_BANK_BODY_BYTES = 1 << 20;

const CODE = /^[A-Z]+_[A-Z0-9_]+$/;
const MAX_MESSAGE_CHARS = 500;

/** How long a bank call may take before it counts as offline (a connection that hangs). */
export const BANK_TIMEOUT_MS = 20_000;

/** Why a timed-out call was aborted: told apart from a caller's own abort. */
const TIMED_OUT = new Error('the bank did not answer in time');

/**
 * A signal that aborts when `outer` aborts or after `ms`; `clear()` stops the timer (the signal
 * then follows `outer` only — for a stream that may stay open once it has answered).
 */
export function withTimeout(
  ms: number,
  outer?: AbortSignal,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const follow = (): void => controller.abort(outer?.reason);
  if (outer?.aborted) follow();
  else outer?.addEventListener('abort', follow, { once: true });
  const timer = setTimeout(() => controller.abort(TIMED_OUT), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/**
 * The fetch, with a network failure or a timeout (see withTimeout) as APP_OFFLINE and a caller's
 * abort passed on as is.
 */
export async function send(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    if (init.signal?.aborted && init.signal.reason !== TIMED_OUT) throw init.signal.reason;
    throw new AppError('APP_OFFLINE', undefined, {
      reason:
        init.signal?.reason === TIMED_OUT
          ? 'timeout'
          : error instanceof Error
            ? error.name
            : 'unknown',
    });
  }
}

function tooLarge(what: string): AppError {
  return new AppError('APP_BANK_RESPONSE', `The bank's answer to ${what} is too large.`);
}

/** The whole body, refusing more than `limit` bytes. @throws AppError APP_BANK_RESPONSE, APP_OFFLINE */
export async function readBounded(
  response: Response,
  what: string,
  limit = MAX_BANK_BODY_BYTES,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(what);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(what);
      }
      parts.push(value);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('APP_OFFLINE', 'The connection to the bank broke off.');
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function parseJson(body: Uint8Array): unknown {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
}

/** The coded error for a non-2xx answer (its body already read). */
export function refusal(status: number, body: Uint8Array, what: string): Error {
  let json: unknown;
  try {
    json = parseJson(body);
  } catch {
    json = undefined;
  }
  if (isRecord(json) && typeof json['code'] === 'string' && CODE.test(json['code'])) {
    const message = typeof json['message'] === 'string' ? json['message'] : json['code'];
    const details = isRecord(json['details']) ? json['details'] : {};
    return new BankRefusal(json['code'], message.slice(0, MAX_MESSAGE_CHARS), status, details);
  }
  if (status === 502 || status === 503 || status === 504) {
    return new AppError('APP_OFFLINE', undefined, { status });
  }
  return new AppError(
    'APP_BANK_RESPONSE',
    `The bank answered ${what} with HTTP ${status} and no error code.`,
    { status },
  );
}

/**
 * The JSON of a 2xx answer, passed through `view`.
 * @throws AppError APP_BANK_RESPONSE (not JSON, or `view` found the wrong shape), APP_OFFLINE
 */
export async function readJson<T>(
  response: Response,
  what: string,
  view: (json: unknown) => T,
): Promise<T> {
  const body = await readBounded(response, what);
  if (!response.ok) throw refusal(response.status, body, what);
  let json: unknown;
  try {
    json = parseJson(body);
  } catch {
    throw new AppError('APP_BANK_RESPONSE', `The bank's answer to ${what} is not JSON.`);
  }
  try {
    return view(json);
  } catch (error) {
    if (error instanceof ShapeError) {
      throw new AppError(
        'APP_BANK_RESPONSE',
        `The bank's answer to ${what} is malformed: ${error.message}.`,
      );
    }
    throw error;
  }
}

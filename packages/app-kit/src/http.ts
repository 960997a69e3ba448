/**
 * The bank client's HTTP edge: bounded bodies, answers parsed with the contract's schemas
 * (@offpay/api), and one mapping of failures to coded errors.
 * - fetch rejects (no network, DNS, CORS) or the body breaks off → AppError APP_OFFLINE
 * - a non-2xx answer that is an `errorBody` (`{code, message, details}`) → BankRefusal
 * - a 502/503/504 without one (a proxy in front of a bank that is down) → AppError APP_OFFLINE
 * - anything else, or a 2xx answer its route's schema refuses → AppError APP_BANK_RESPONSE
 * Messages never hold a token, a password or a body: only the route, the status, and where the
 * answer broke the contract.
 */
import { errorBody } from '@offpay/api';
import { z } from 'zod';
import { AppError, BankRefusal } from './errors.js';
import { describeIssue } from './parse.js';

/**
 * Largest bank answer read, in bytes, unless its route allows more: a settlement result of 1000
 * entries is well under.
 */
export const MAX_BANK_BODY_BYTES = 1 << 20;

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

/** The answer of a bank that is malformed: `problem` says where (never a value). */
export function malformed(what: string, problem: string): AppError {
  return new AppError(
    'APP_BANK_RESPONSE',
    `The bank's answer to ${what} is malformed: ${problem}.`,
  );
}

/**
 * An error answer from a bank newer than this app: the shape of {@link errorBody} with a code
 * this app does not know yet, shown in the bank's own words (wording.ts).
 */
const newerErrorBody = errorBody.extend({
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z]+_[A-Z0-9_]+$/),
});

/** The coded error for a non-2xx answer (its body already read). */
export function refusal(status: number, body: Uint8Array, what: string): Error {
  let json: unknown;
  try {
    json = parseJson(body);
  } catch {
    json = undefined;
  }
  const known = errorBody.safeParse(json);
  const parsed = known.success ? known : newerErrorBody.safeParse(json);
  if (parsed.success) {
    const { code, message, details } = parsed.data;
    return new BankRefusal(code, message, status, details);
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
 * The JSON of a 2xx answer, parsed with `schema` (an empty body reads as `null`: a 204).
 * @throws AppError APP_BANK_RESPONSE (not JSON, or off the schema), APP_OFFLINE; BankRefusal
 */
export async function readJson<S extends z.ZodType>(
  response: Response,
  what: string,
  schema: S,
  limit = MAX_BANK_BODY_BYTES,
): Promise<z.output<S>> {
  const body = await readBounded(response, what, limit);
  if (!response.ok) throw refusal(response.status, body, what);
  let json: unknown;
  try {
    json = body.length === 0 && response.status === 204 ? null : parseJson(body);
  } catch {
    throw new AppError('APP_BANK_RESPONSE', `The bank's answer to ${what} is not JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw malformed(what, describeIssue(parsed.error, 'answer'));
  return parsed.data;
}

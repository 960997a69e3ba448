/**
 * Payment requests (docs/protocol.md §5.1): the till asks for an amount, signs the request and
 * keeps it (in the 'history' log, and as the current request) until a payment answers it. Only
 * the current request can be paid: making a new one closes the one before, so a payment for a
 * request no longer on screen is never taken.
 */
import { randomBytes, toHex, utf8 } from '@offpay/crypto';
import {
  encodePaymentRequest,
  isAppError,
  LEN,
  LIMITS,
  Money,
  signPaymentRequest,
  type OpenRequest,
  type PaymentRequest,
} from '@offpay/protocol';
import type { AppDb } from '@offpay/app-kit';
import { withTillLock } from './lock.js';
import { asRecord, isBytes, isCount, KEY, type Till } from './store.js';

/** How long a request stays open. */
export const REQUEST_TTL_SECONDS = 15 * 60;

/** A request as the till keeps it. */
export interface StoredRequest {
  kind: 'request';
  requestId: Uint8Array;
  amount: number;
  expiresAt: number;
  memo: string;
  createdAt: number;
  /** 'closed': a newer request replaced it before it was paid; it can no longer be paid. */
  status: 'open' | 'paid' | 'closed';
  /** Ledger index of the payment that paid it. */
  paidIndex?: number;
  /** The signed request's wire bytes, to show it again after a reload. */
  bytes: Uint8Array;
}

/** History key of a request. */
export const requestKey = (requestId: Uint8Array): string => `request:${toHex(requestId)}`;

/** The checked input of the request form, or the field at fault and what to say. */
export type RequestInput =
  | { ok: true; amount: Money; memo: string }
  | { ok: false; field: 'amount' | 'memo'; message: string };

/** Reads the request form: an amount in the till's currency (at least one minor unit) and a memo. */
export function parseRequestInput(
  amountText: string,
  memo: string,
  currency: string,
): RequestInput {
  let amount: Money;
  try {
    amount = Money.parse(amountText, currency);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return {
      ok: false,
      field: 'amount',
      message: `Enter an amount such as 2.50 (in ${currency}).`,
    };
  }
  if (amount.minor < 1) {
    return { ok: false, field: 'amount', message: 'The amount must be more than zero.' };
  }
  const trimmed = memo.trim();
  if (utf8(trimmed).length > LIMITS.memoBytes) {
    return {
      ok: false,
      field: 'memo',
      message: `The memo is too long: at most ${LIMITS.memoBytes} bytes (about ${LIMITS.memoBytes} letters).`,
    };
  }
  if (/\p{Cc}/u.test(trimmed)) {
    return { ok: false, field: 'memo', message: 'The memo cannot hold line breaks or tabs.' };
  }
  return { ok: true, amount, memo: trimmed };
}

/**
 * Signs a new request and stores it as the current, open one; the request open before it is
 * closed in the same write. `now` is the trusted device time (Unix seconds).
 */
export async function createRequest(
  db: AppDb,
  till: Till,
  input: { amount: Money; memo: string },
  now: number,
): Promise<PaymentRequest> {
  const request = signPaymentRequest(
    {
      amount: input.amount.minor,
      requestId: randomBytes(LEN.requestId),
      expiresAt: now + REQUEST_TTL_SECONDS,
      memo: input.memo,
    },
    till.cert,
    till.signSecret,
  );
  const stored: StoredRequest = {
    kind: 'request',
    requestId: request.requestId,
    amount: request.amount,
    expiresAt: request.expiresAt,
    memo: request.memo,
    createdAt: now,
    status: 'open',
    bytes: encodePaymentRequest(request),
  };
  await withTillLock(async () => {
    const before = await currentRequest(db);
    await db.write([
      ...(before?.status === 'open'
        ? [
            {
              log: 'history' as const,
              key: requestKey(before.requestId),
              value: { ...before, status: 'closed' },
            },
          ]
        : []),
      { log: 'history', key: requestKey(request.requestId), value: stored },
      { put: KEY.currentRequest, value: stored },
    ]);
  });
  return request;
}

/** A stored request row checked for shape. */
export function parseStoredRequest(row: unknown): StoredRequest | undefined {
  const r = asRecord(row);
  if (!r || r['kind'] !== 'request') return undefined;
  const ok =
    isBytes(r['requestId'], LEN.requestId) &&
    isCount(r['amount']) &&
    isCount(r['expiresAt']) &&
    isCount(r['createdAt']) &&
    typeof r['memo'] === 'string' &&
    r['memo'].length <= LIMITS.memoBytes &&
    (r['status'] === 'open' || r['status'] === 'paid' || r['status'] === 'closed') &&
    (r['paidIndex'] === undefined || isCount(r['paidIndex'])) &&
    isBytes(r['bytes'], 1, LIMITS.requestBytes);
  return ok ? (r as unknown as StoredRequest) : undefined;
}

/** The latest request made (open, paid or closed), or undefined before the first. */
export async function currentRequest(db: AppDb): Promise<StoredRequest | undefined> {
  return parseStoredRequest(await db.get<unknown>(KEY.currentRequest));
}

/**
 * The stored request with this id and whether it is the current one: the current request, or
 * else its record in the history log — each one read by key.
 */
export async function findRequest(
  db: AppDb,
  requestId: Uint8Array,
): Promise<{ request: StoredRequest; current: boolean } | undefined> {
  const hex = toHex(requestId);
  const current = await currentRequest(db);
  if (current && toHex(current.requestId) === hex) return { request: current, current: true };
  const r = parseStoredRequest(await db.record<unknown>('history', requestKey(requestId)));
  return r && toHex(r.requestId) === hex ? { request: r, current: false } : undefined;
}

/** The current request if it is still open and not expired at `now`, to show again after a reload. */
export async function latestOpenRequest(
  db: AppDb,
  now: number,
): Promise<StoredRequest | undefined> {
  const r = await currentRequest(db);
  return r?.status === 'open' && r.expiresAt >= now ? r : undefined;
}

/** The protocol's view of a stored request. */
export function toOpenRequest(r: StoredRequest): OpenRequest {
  return { requestId: r.requestId, amount: r.amount, expiresAt: r.expiresAt };
}

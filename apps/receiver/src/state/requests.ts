/**
 * Payment requests (docs/protocol.md §5.1): the till asks for an amount, signs the request and
 * keeps it (the `requests` store; its id as the current request) until a payment answers it. Only
 * the current request can be paid: making a new one closes the one before, so a payment for a
 * request no longer on screen is never taken.
 */
import { fromHex, randomBytes, toHex, utf8 } from '@offpay/crypto';
import {
  encodePaymentRequest,
  isAppError,
  LEN,
  LIMITS,
  Money,
  signPaymentRequest,
  type PaymentRequest,
} from '@offpay/protocol';
import { META, type StoredRequest, type TillDb, type TillReads } from '../db.js';
import type { Till } from './till.js';

/** How long a request stays open. */
export const REQUEST_TTL_SECONDS = 15 * 60;

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
 * closed in the same write. `now` is the trusted device time (Unix seconds). Returns the request
 * as stored and as the payer decodes it.
 */
export async function createRequest(
  db: TillDb,
  till: Till,
  input: { amount: Money; memo: string },
  now: number,
): Promise<{ stored: StoredRequest; request: PaymentRequest }> {
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
    requestId: request.requestId,
    amount: request.amount,
    expiresAt: request.expiresAt,
    memo: request.memo,
    createdAt: now,
    status: 'open',
    bytes: encodePaymentRequest(request),
  };
  // The request open before is read and closed in the transaction that makes this one current:
  // an accept (another tab's too) either paid it before, and it stays paid, or finds it closed.
  await db.transaction(['meta', 'requests'], async (tx) => {
    const before = await currentRequest(tx);
    const close =
      before?.status === 'open'
        ? [{ put: 'requests' as const, value: { ...before, status: 'closed' as const } }]
        : [];
    await tx.write([
      ...close,
      { put: 'requests', value: stored },
      { put: 'meta', key: META.currentRequest, value: toHex(request.requestId) },
    ]);
  });
  return { stored, request };
}

/** The latest request made (open, paid or closed), or undefined before the first. */
export async function currentRequest(db: TillReads): Promise<StoredRequest | undefined> {
  const id = await db.get('meta', META.currentRequest);
  return typeof id === 'string' && /^[0-9a-f]{32}$/.test(id)
    ? db.get('requests', fromHex(id))
    : undefined;
}

/** The stored request with this id, and whether it is the current one — each read by key. */
export async function findRequest(
  db: TillReads,
  requestId: Uint8Array,
): Promise<{ request: StoredRequest; current: boolean } | undefined> {
  const [request, current] = await Promise.all([
    db.get('requests', requestId),
    db.get('meta', META.currentRequest),
  ]);
  return request && { request, current: current === toHex(requestId) };
}

/** The current request if it is still open and not expired at `now`, to show again after a reload. */
export async function latestOpenRequest(
  db: TillDb,
  now: number,
): Promise<StoredRequest | undefined> {
  const r = await currentRequest(db);
  return r?.status === 'open' && r.expiresAt >= now ? r : undefined;
}

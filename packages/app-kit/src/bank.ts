/**
 * The bank's HTTP API as the apps use it. Every answer is parsed and bounded before use; a
 * network failure is AppError APP_OFFLINE, a refusal is BankError with the bank's code. Tokens
 * are passed in by the caller and kept in memory only (never localStorage, never a URL).
 */
import { toBase64Url } from '@offpay/crypto';
import {
  accountsView,
  challengeView,
  keysView,
  loginView,
  payeeView,
  payerSyncView,
  payerView,
  revocationsView,
  settlementEventView,
  settlementView,
  fraudReportView,
} from './bank-views.js';
import { AppError } from './errors.js';
import { BANK_TIMEOUT_MS, readBounded, readJson, refusal, send, withTimeout } from './http.js';
import { SseParser } from './sse.js';

/** GET /v1/keys, decoded: what the apps pin at enrollment. */
export interface BankKeysInfo {
  /** Every bank signing key (compressed SEC1), current and retired: certificates name their issuer. */
  signKeys: Uint8Array[];
  /** The current KEM key (settlement batches are sealed to it). */
  kemKey: Uint8Array;
}

export interface EnrolledCertificate {
  serial: string;
  /** The certificate wire bytes (decode with decodePayerCertificate / decodePayeeCertificate). */
  certificate: Uint8Array;
  expiresAt: string;
  currency: string;
}

/** GET /v1/revocations: the signed list (verify it with verifyRevocationList) and the bank's clock. */
export interface RevocationsInfo {
  seq: number;
  signed: Uint8Array;
  /** The bank's clock when it answered, Unix seconds. */
  bankTime: number;
}

/** GET /v1/payer/sync */
export interface PayerSync {
  bankTime: number;
  certificates: {
    serial: string;
    status: 'active' | 'closed' | 'revoked';
    limitMinor: string;
    settledMinor: string;
    expiresAt: string;
    /** Extra fields the bank sends (always set by {@link BankClient.payerSync}). */
    currency?: string;
    reserveRemainingMinor?: string;
    /** True when the bank listed only the newest payments of this certificate. */
    paymentsTruncated?: boolean;
    payments: { paymentId: string; counter: number; amountMinor: string; settledAt: string }[];
  }[];
}

/** POST /v1/fraud-proofs answer: the payer certificate the proof revoked. */
export interface FraudReport {
  serial: string;
  kind: 'equivocation' | 'fork' | 'understated';
}

/** One entry's outcome in a settlement answer or event. */
export interface SettledEntry {
  index: number;
  paymentId: string;
  status: 'settled' | 'duplicate' | 'rejected';
  code: string;
}

/** POST /v1/settlements answer, and the data of an SSE `settlement` event (no `signed`/`replayed`). */
export interface SettlementAnswer {
  batchKey: string;
  payeeKid: string;
  fromIndex: number;
  head: string;
  settledAt: number;
  replayed?: boolean;
  results: SettledEntry[];
  signed?: Uint8Array;
}

export interface AccountView {
  kind: string;
  currency: string;
  balanceMinor: string;
}

/** Options of {@link BankClient.events}. */
export interface EventStreamOptions {
  /** Called once when an open stream ends (abort, the bank closed it, or the network dropped). */
  onClose?: () => void;
}

function bearer(token: string): Record<string, string> {
  if (typeof token !== 'string' || !/^[\x21-\x7e]{1,8192}$/.test(token)) {
    // Never echo the token: only say that it is unusable.
    throw new TypeError('token: a non-empty printable access token');
  }
  return { authorization: `Bearer ${token}` };
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** The bank's HTTP API. Every method: @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; BankError */
export class BankClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    view: (json: unknown) => T,
    options: { token?: string; body?: unknown; fresh?: boolean } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {
      ...(options.body === undefined ? { accept: 'application/json' } : JSON_HEADERS),
      ...(options.token === undefined ? {} : bearer(options.token)),
    };
    // The whole call, body included, within BANK_TIMEOUT_MS: a hanging connection is offline.
    const timeout = withTimeout(BANK_TIMEOUT_MS);
    try {
      const response = await send(this.fetchImpl, this.url(path), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        // Bank time and revocations must be the bank's current answer, not a cached one.
        ...(options.fresh ? { cache: 'no-store' as const } : {}),
        signal: timeout.signal,
      });
      return await readJson(response, `${method} ${path}`, view);
    } finally {
      timeout.clear();
    }
  }

  /** GET /v1/keys: the keys to pin. */
  keys(): Promise<BankKeysInfo> {
    return this.call('GET', '/v1/keys', keysView);
  }

  /** POST /v1/auth/login. @returns the access token */
  login(email: string, password: string): Promise<string> {
    return this.call('POST', '/v1/auth/login', loginView, { body: { email, password } });
  }

  /** POST /v1/enrollment/challenge: a single-use challenge (5 minutes) to sign. */
  challenge(token: string): Promise<{ challengeId: string; challenge: Uint8Array }> {
    return this.call('POST', '/v1/enrollment/challenge', challengeView, { token });
  }

  /** POST /v1/enrollment/payer: certifies the payer key, reserving `limitMinor`. */
  enrollPayer(
    token: string,
    body: { challengeId: string; signKey: Uint8Array; signature: Uint8Array; limitMinor: bigint },
  ): Promise<EnrolledCertificate & { limitMinor: string }> {
    return this.call('POST', '/v1/enrollment/payer', payerView, {
      token,
      body: {
        challengeId: body.challengeId,
        signKey: toBase64Url(body.signKey),
        signature: toBase64Url(body.signature),
        limitMinor: body.limitMinor.toString(),
      },
    });
  }

  /** POST /v1/enrollment/payee: certifies the receiver's keys under its display name. */
  enrollPayee(
    token: string,
    body: { challengeId: string; signKey: Uint8Array; kemKey: Uint8Array; signature: Uint8Array },
  ): Promise<EnrolledCertificate & { displayName: string }> {
    return this.call('POST', '/v1/enrollment/payee', payeeView, {
      token,
      body: {
        challengeId: body.challengeId,
        signKey: toBase64Url(body.signKey),
        kemKey: toBase64Url(body.kemKey),
        signature: toBase64Url(body.signature),
      },
    });
  }

  /** GET /v1/revocations: the signed list and the bank's clock (Unix seconds). */
  revocations(): Promise<RevocationsInfo> {
    return this.call('GET', '/v1/revocations', revocationsView, { fresh: true });
  }

  /** GET /v1/payer/sync: what settled per payer certificate, and the bank's clock. */
  payerSync(token: string): Promise<PayerSync> {
    return this.call('GET', '/v1/payer/sync', payerSyncView, { token, fresh: true });
  }

  /** GET /v1/accounts/me: the caller's accounts and balances. */
  accounts(token: string): Promise<AccountView[]> {
    return this.call('GET', '/v1/accounts/me', accountsView, { token, fresh: true });
  }

  /**
   * POST /v1/fraud-proofs (no login): the bank checks the proof, stores it once and revokes the
   * payer certificate. @throws BankError when the bank refuses it; AppError APP_OFFLINE
   */
  reportFraudProof(proof: Uint8Array): Promise<FraudReport> {
    return this.call('POST', '/v1/fraud-proofs', fraudReportView, {
      body: { proof: toBase64Url(proof) },
    });
  }

  /** POST /v1/settlements with the sealed batch bytes (no login). */
  settle(sealedBatch: Uint8Array): Promise<SettlementAnswer> {
    return this.call('POST', '/v1/settlements', settlementView, {
      body: { sealed: toBase64Url(sealedBatch) },
    });
  }

  /**
   * GET /v1/settlements/events as a stream read with fetch (Bearer header; EventSource cannot
   * send one). Calls `onEvent` per `settlement` event until `signal` aborts. Resolves once the
   * stream is open (so the caller may then post the batch), and never rejects after that.
   * Before that it rejects like every call (an abort rejects with the signal's reason). Events
   * of the wrong shape are skipped; an error thrown by `onEvent` does not end the stream.
   */
  async events(
    token: string,
    payeeKidHex: string,
    onEvent: (event: SettlementAnswer) => void,
    signal: AbortSignal,
    options: EventStreamOptions = {},
  ): Promise<void> {
    if (!/^[0-9a-f]{16}$/.test(payeeKidHex)) throw new TypeError('payeeKidHex: 16 hex digits');
    const what = 'GET /v1/settlements/events';
    // Opening the stream is timed; once the bank answered, the stream stays open until `signal`.
    const opening = withTimeout(BANK_TIMEOUT_MS, signal);
    const response = await send(
      this.fetchImpl,
      this.url(`/v1/settlements/events?payeeKid=${payeeKidHex}`),
      {
        method: 'GET',
        headers: { accept: 'text/event-stream', ...bearer(token) },
        cache: 'no-store',
        signal: opening.signal,
      },
    ).finally(() => opening.clear());
    if (!response.ok) throw refusal(response.status, await readBounded(response, what), what);
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new AppError(
        'APP_BANK_RESPONSE',
        `The bank's answer to ${what} is not an event stream.`,
      );
    }
    void pump(response.body, onEvent, signal, options.onClose);
  }
}

/** Reads the stream until it ends or `signal` aborts; never rejects. */
async function pump(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SettlementAnswer) => void,
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

function deliver(data: string, onEvent: (event: SettlementAnswer) => void): void {
  let event: SettlementAnswer;
  try {
    event = settlementEventView(JSON.parse(data));
  } catch {
    return; // not a settlement event of the documented shape: skipped
  }
  try {
    onEvent(event);
  } catch {
    // The app's handler failed on one event; later events still arrive.
  }
}

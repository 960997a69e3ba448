/**
 * The bank's HTTP API as the apps use it. Every JSON request goes through one function,
 * {@link BankClient.call}, with a route of {@link ROUTES}: what it sends and how its answer is
 * read (bank-views.ts: parsed and bounded before use). A network failure is AppError APP_OFFLINE,
 * a refusal is a BankRefusal with the bank's code. Tokens are passed in by the caller and kept in
 * memory only (never localStorage, never a URL).
 */
import { toBase64Url } from '@offpay/crypto';
import {
  accountsView,
  challengeView,
  fraudReportView,
  keysView,
  loginView,
  payeeView,
  payerSyncView,
  payerView,
  revocationsView,
  settlementEventView,
  settlementView,
  type AccountView,
  type BankKeysInfo,
  type EnrolledCertificate,
  type FraudReport,
  type PayerSync,
  type RevocationsInfo,
  type SettlementAnswer,
} from './bank-views.js';
import { AppError } from './errors.js';
import { BANK_TIMEOUT_MS, readBounded, readJson, refusal, send, withTimeout } from './http.js';
import { SseParser } from './sse.js';

export type * from './bank-views.js';

/** One route: method and path, whether it needs the token, its body and how its answer reads. */
interface RouteSpec<I, O> {
  method: 'GET' | 'POST';
  path: string;
  auth?: true;
  /** Bank time, revocations and balances must be the bank's current answer, not a cached one. */
  fresh?: true;
  body?: (input: I) => unknown;
  view: (json: unknown) => O;
}

const route = <I = void, O = unknown>(spec: RouteSpec<I, O>): RouteSpec<I, O> => spec;
const b64 = toBase64Url;

/** Every bank route the apps call. */
export const ROUTES = {
  keys: route({ method: 'GET', path: '/v1/keys', view: keysView }),
  login: route({
    method: 'POST',
    path: '/v1/auth/login',
    body: (i: { email: string; password: string }) => i,
    view: loginView,
  }),
  challenge: route({
    method: 'POST',
    path: '/v1/enrollment/challenge',
    auth: true,
    view: challengeView,
  }),
  enrollPayer: route({
    method: 'POST',
    path: '/v1/enrollment/payer',
    auth: true,
    body: (i: {
      challengeId: string;
      signKey: Uint8Array;
      signature: Uint8Array;
      limitMinor: bigint;
    }) => ({
      challengeId: i.challengeId,
      signKey: b64(i.signKey),
      signature: b64(i.signature),
      limitMinor: i.limitMinor.toString(),
    }),
    view: payerView,
  }),
  enrollPayee: route({
    method: 'POST',
    path: '/v1/enrollment/payee',
    auth: true,
    body: (i: {
      challengeId: string;
      signKey: Uint8Array;
      kemKey: Uint8Array;
      signature: Uint8Array;
    }) => ({
      challengeId: i.challengeId,
      signKey: b64(i.signKey),
      kemKey: b64(i.kemKey),
      signature: b64(i.signature),
    }),
    view: payeeView,
  }),
  revocations: route({
    method: 'GET',
    path: '/v1/revocations',
    fresh: true,
    view: revocationsView,
  }),
  payerSync: route({
    method: 'GET',
    path: '/v1/payer/sync',
    auth: true,
    fresh: true,
    view: payerSyncView,
  }),
  accounts: route({
    method: 'GET',
    path: '/v1/accounts/me',
    auth: true,
    fresh: true,
    view: accountsView,
  }),
  reportFraudProof: route({
    method: 'POST',
    path: '/v1/fraud-proofs',
    body: (proof: Uint8Array) => ({ proof: b64(proof) }),
    view: fraudReportView,
  }),
  settle: route({
    method: 'POST',
    path: '/v1/settlements',
    body: (sealed: Uint8Array) => ({ sealed: b64(sealed) }),
    view: settlementView,
  }),
};

/** A route's name. */
export type RouteName = keyof typeof ROUTES;
type Spec<N extends RouteName> = (typeof ROUTES)[N];
/** What a route sends. */
export type RouteInput<N extends RouteName> =
  Spec<N> extends RouteSpec<infer I, unknown> ? I : never;
/** What a route answers, read. */
export type RouteOutput<N extends RouteName> =
  Spec<N> extends RouteSpec<never, infer O> ? O : never;

function bearer(token: string | undefined): Record<string, string> {
  if (typeof token !== 'string' || !/^[\x21-\x7e]{1,8192}$/.test(token)) {
    // Never echo the token: only say that it is unusable.
    throw new TypeError('token: a non-empty printable access token');
  }
  return { authorization: `Bearer ${token}` };
}

/** Options of {@link BankClient.events}. */
export interface EventStreamOptions {
  /** Called once when an open stream ends (abort, the bank closed it, or the network dropped). */
  onClose?: () => void;
}

/** The bank's HTTP API. Every method: @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; BankRefusal */
export class BankClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  private url(path: string): string {
    return `${this.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** The one way a JSON request reaches the bank: `route` with `input` (and the token it needs). */
  async call<N extends RouteName>(
    name: N,
    input: RouteInput<N>,
    token?: string,
  ): Promise<RouteOutput<N>> {
    const spec = ROUTES[name] as unknown as RouteSpec<RouteInput<N>, RouteOutput<N>>;
    const body = spec.body?.(input);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(spec.auth ? bearer(token) : {}),
    };
    // The whole call, body included, within BANK_TIMEOUT_MS: a hanging connection is offline.
    const timeout = withTimeout(BANK_TIMEOUT_MS);
    try {
      const response = await send(this.fetchImpl, this.url(spec.path), {
        method: spec.method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(spec.fresh ? { cache: 'no-store' as const } : {}),
        signal: timeout.signal,
      });
      return await readJson(response, `${spec.method} ${spec.path}`, spec.view);
    } finally {
      timeout.clear();
    }
  }

  /** GET /v1/keys: the keys to pin. */
  keys(): Promise<BankKeysInfo> {
    return this.call('keys', undefined);
  }

  /** POST /v1/auth/login. @returns the access token */
  login(email: string, password: string): Promise<string> {
    return this.call('login', { email, password });
  }

  /** POST /v1/enrollment/challenge: a single-use challenge (5 minutes) to sign. */
  challenge(token: string): Promise<{ challengeId: string; challenge: Uint8Array }> {
    return this.call('challenge', undefined, token);
  }

  /** POST /v1/enrollment/payer: certifies the payer key, reserving `limitMinor`. */
  enrollPayer(
    token: string,
    body: RouteInput<'enrollPayer'>,
  ): Promise<EnrolledCertificate & { limitMinor: string }> {
    return this.call('enrollPayer', body, token);
  }

  /** POST /v1/enrollment/payee: certifies the receiver's keys under its display name. */
  enrollPayee(
    token: string,
    body: RouteInput<'enrollPayee'>,
  ): Promise<EnrolledCertificate & { displayName: string }> {
    return this.call('enrollPayee', body, token);
  }

  /** GET /v1/revocations: the signed list and the bank's clock (Unix seconds). */
  revocations(): Promise<RevocationsInfo> {
    return this.call('revocations', undefined);
  }

  /** GET /v1/payer/sync: what settled per payer certificate, and the bank's clock. */
  payerSync(token: string): Promise<PayerSync> {
    return this.call('payerSync', undefined, token);
  }

  /** GET /v1/accounts/me: the caller's accounts and balances. */
  accounts(token: string): Promise<AccountView[]> {
    return this.call('accounts', undefined, token);
  }

  /** POST /v1/fraud-proofs (no login): the bank checks the proof and revokes the payer. */
  reportFraudProof(proof: Uint8Array): Promise<FraudReport> {
    return this.call('reportFraudProof', proof);
  }

  /** POST /v1/settlements with the sealed batch bytes (no login). */
  settle(sealedBatch: Uint8Array): Promise<SettlementAnswer> {
    return this.call('settle', sealedBatch);
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

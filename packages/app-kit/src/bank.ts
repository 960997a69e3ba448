/**
 * The bank's HTTP API as the apps use it, in the words of its contract (@offpay/api). Every JSON
 * request goes through one function, {@link BankClient.call}: it sends the route's body
 * (`BodyOf<R>`) to `routePath(route, params)` and parses the answer with `route.response`; an
 * error answer is parsed with `errorBody` (http.ts). What the apps need beyond the contract is
 * done after parsing, in the typed methods: bytes decoded from base64url and hex, bank keys
 * checked to be P-256 points, the current KEM key picked, the bank's clock as Unix seconds.
 * A network failure is AppError APP_OFFLINE, a refusal a BankRefusal with the bank's code, an
 * answer off the contract AppError APP_BANK_RESPONSE. Tokens are passed in by the caller and kept
 * in memory only (never localStorage, never a URL).
 */
import {
  routePath,
  routes,
  type AnswerOf,
  type BodyOf,
  type EventOf,
  type HeadersOf,
  type ParamsOf,
  type QueryOf,
  type RouteSpec,
} from '@offpay/api';
import { fromBase64Url, fromHex, isValidPublicKey, toBase64Url } from '@offpay/crypto';
import { MAX_AMOUNT } from '@offpay/protocol';
import type { z } from 'zod';
import {
  openEvents,
  type EventStreamOptions,
  type SettlementEvent,
  type StreamRoute,
} from './bank-events.js';
import {
  BANK_TIMEOUT_MS,
  malformed,
  MAX_BANK_BODY_BYTES,
  readBounded,
  readJson,
  refusal,
  send,
  withTimeout,
} from './http.js';

export type {
  EventStreamOptions,
  SettledEntry,
  SettlementEvent,
  StreamRoute,
} from './bank-events.js';

type Part<R, K extends keyof RouteSpec, T> = R extends { [P in K]: z.ZodType } ? T : unknown;

/**
 * What {@link BankClient.call} sends for route `R`: its JSON body, path parameters and query when
 * the route has them, and the access token when it needs one.
 */
export type CallInput<R extends RouteSpec> = Part<R, 'body', { body: BodyOf<R> }> &
  Part<R, 'params', { params: ParamsOf<R> }> &
  Part<R, 'query', { query?: QueryOf<R> }> &
  Part<R, 'headers', { headers?: HeadersOf<R> }> &
  (R['auth'] extends true ? { token: string } : unknown);

/** The JSON routes of the contract (not the CSV export, not the event stream). */
export type JsonRoute = RouteSpec & { contentType?: undefined };

/** The routes answered with a file: CSV statements and exports, pain.001 XML. */
export type TextRoute = RouteSpec & { contentType: 'text/csv' | 'application/xml' };

/**
 * Answers the contract allows to be larger than MAX_BANK_BODY_BYTES: a full payer sync (100
 * certificates of 500 payments, about 9 MB), a full key list (2 × 256 keys, each with a
 * rotation announcement, about 1.2 MB) and a full revocation list (150,000 serials of 16 digits
 * beside the signed list in base64url, about 4.7 MB). The test of the bounds reads each at its
 * largest.
 */
const ANSWER_LIMITS = new Map<RouteSpec, number>([
  [routes.payerSync, 16 << 20],
  [routes.keys, 4 << 20],
  [routes.revocations, 8 << 20],
]);

/** What a merchant refunds of one settled payment (see {@link BankClient.refund}). */
export interface RefundInput {
  /** hex */
  paymentId: string;
  amountMinor: bigint;
  reason: string;
  /** The idempotency key: one per refund the merchant means, kept for its retries. */
  key: string;
}

/** The answer to a refund. */
export type RefundAnswer = AnswerOf<typeof routes.refundPayment>;
/** A settled payment with its refunds. */
export type RefundablePayment = AnswerOf<typeof routes.paymentRefunds>;

/** GET /v1/keys, decoded: what the apps pin at enrollment. */
export interface BankKeysInfo {
  /** Every bank signing key (compressed SEC1), current and retired: certificates name their issuer. */
  signKeys: Uint8Array[];
  /** The current KEM key: not retired, the newest (settlement batches are sealed to it). */
  kemKey: Uint8Array;
  /** The current signing key as the bank lists it (trusted only when announcements reach it). */
  signKey: Uint8Array;
  /** Every rotation announcement listed (wire bytes, docs/protocol.md §12), oldest key first. */
  announcements: Uint8Array[];
}

type Issued<R extends RouteSpec> = Omit<AnswerOf<R>, 'certificate'> & { certificate: Uint8Array };
/** POST /v1/enrollment/payer: the certificate issued, its wire bytes decoded. */
export type EnrolledPayer = Issued<typeof routes.enrollPayer>;
/** POST /v1/enrollment/payee: the certificate issued, with the bank-verified display name. */
export type EnrolledPayee = Issued<typeof routes.enrollPayee>;
/** What both enrollments answer (decode the bytes with decodePayer/PayeeCertificate). */
export type EnrolledCertificate = Pick<
  EnrolledPayer,
  'serial' | 'certificate' | 'expiresAt' | 'currency'
>;

/**
 * GET /v1/revocations[?since=]: the signed full list (verify it with verifyRevocationList) or the
 * signed delta from the list `since` (verifyRevocationDelta), and the bank's clock.
 */
export type RevocationsInfo =
  | {
      /** Absent in answers made by hand (tests): a full list. */
      kind?: 'list';
      seq: number;
      signed: Uint8Array;
      /** The bank's clock when it answered, Unix seconds. */
      bankTime: number;
    }
  | { kind: 'delta'; fromSeq: number; toSeq: number; signed: Uint8Array; bankTime: number };

/** GET /v1/payer/sync, with the bank's clock in Unix seconds. */
export type PayerSync = Omit<AnswerOf<typeof routes.payerSync>, 'bankTime'> & { bankTime: number };
/** GET /v1/accounts/me: one account. */
export type AccountView = AnswerOf<typeof routes.accounts>['accounts'][number];
/** POST /v1/fraud-proofs: the payer certificate the proof revoked. */
export type FraudReport = AnswerOf<typeof routes.reportFraudProof>;
/** GET /v1/certificates: one of the caller's wallets or tills. */
export type OwnCertificate = AnswerOf<typeof routes.certificates>['certificates'][number];
/** POST /v1/certificates/:serial/report: the certificate's state after the report. */
export type CertificateReport = AnswerOf<typeof routes.reportCertificate>;
/** POST /v1/payee/handovers: the old till's ledger and the head it continues from. */
export type LedgerHandoverAnswer = AnswerOf<typeof routes.ledgerHandover>;
/** POST /v1/settlements: the result, with the bank-signed bytes decoded. */
export type SettlementAnswer = Omit<AnswerOf<typeof routes.settle>, 'signed'> & {
  signed: Uint8Array;
};

/** What POST /v1/enrollment/payer sends, as bytes and an amount. */
export interface PayerEnrollment {
  challengeId: string;
  signKey: Uint8Array;
  signature: Uint8Array;
  limitMinor: bigint;
}

/** What POST /v1/enrollment/payee sends, as bytes. */
export interface PayeeEnrollment {
  challengeId: string;
  signKey: Uint8Array;
  kemKey: Uint8Array;
  signature: Uint8Array;
}

const what = (route: RouteSpec): string => `${route.method} ${route.path}`;

/** Unix seconds of an instant the bank wrote. @throws AppError APP_BANK_RESPONSE before 1970 */
function seconds(iso: string, route: RouteSpec, field: string): number {
  const ms = Date.parse(iso);
  if (!(ms >= 0)) throw malformed(what(route), `${field}: before 1970`);
  return Math.floor(ms / 1000);
}

function bearer(token: string): Record<string, string> {
  if (typeof token !== 'string' || !/^[\x21-\x7e]{1,8192}$/.test(token)) {
    // Never echo the token: only say that it is unusable.
    throw new TypeError('token: a non-empty printable access token');
  }
  return { authorization: `Bearer ${token}` };
}

function queryString(query: unknown): string {
  const pairs = Object.entries(query ?? {}).filter(([, v]) => v !== undefined);
  return pairs.length === 0 ? '' : `?${new URLSearchParams(pairs.map(([k, v]) => [k, String(v)]))}`;
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

  /**
   * The one way a JSON request reaches the bank: `route` with what `input` holds for it, the
   * answer parsed with `route.response`. Nothing is read from the browser's HTTP cache: bank
   * time, revocations and balances must be the bank's current answer.
   */
  async call<R extends JsonRoute>(route: R, input: CallInput<R>): Promise<AnswerOf<R>> {
    const { body, params, query, token, ...rest } = input as {
      body?: unknown;
      params?: Record<string, string>;
      query?: unknown;
      token?: string;
      headers?: Record<string, string>;
    };
    const headers: Record<string, string> = {
      ...rest.headers,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(route.auth ? bearer(token!) : {}),
    };
    // The whole call, body included, within BANK_TIMEOUT_MS: a hanging connection is offline.
    const timeout = withTimeout(BANK_TIMEOUT_MS);
    try {
      const response = await send(
        this.fetchImpl,
        this.url(routePath(route, params) + queryString(query)),
        {
          method: route.method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          cache: 'no-store',
          signal: timeout.signal,
        },
      );
      const limit = ANSWER_LIMITS.get(route) ?? MAX_BANK_BODY_BYTES;
      return (await readJson(response, what(route), route.response, limit)) as AnswerOf<R>;
    } finally {
      timeout.clear();
    }
  }

  /**
   * A route answered with a file (CSV, XML): its text, at most `limit` characters' worth of bytes,
   * parsed with `route.response`. A refusal is parsed like every call's.
   */
  async text<R extends TextRoute>(
    route: R,
    input: CallInput<R>,
    limit = 4 * MAX_BANK_BODY_BYTES,
  ): Promise<string> {
    const { params, query, token } = input as {
      params?: Record<string, string>;
      query?: unknown;
      token?: string;
    };
    const timeout = withTimeout(BANK_TIMEOUT_MS);
    try {
      const response = await send(
        this.fetchImpl,
        this.url(routePath(route, params) + queryString(query)),
        {
          method: route.method,
          headers: { accept: route.contentType, ...(route.auth ? bearer(token!) : {}) },
          cache: 'no-store',
          signal: timeout.signal,
        },
      );
      const body = await readBounded(response, what(route), limit);
      if (!response.ok) throw refusal(response.status, body, what(route));
      const parsed = route.response.safeParse(new TextDecoder().decode(body));
      if (!parsed.success) throw malformed(what(route), 'not the text the contract describes');
      return parsed.data as string;
    } finally {
      timeout.clear();
    }
  }

  /**
   * A server-sent event stream of the contract (`route.event` parses each event's data), read
   * with fetch so the Bearer header goes along. Resolves once the stream is open and never
   * rejects after that; `onEvent` is called per event until `signal` aborts.
   */
  async stream<R extends StreamRoute>(
    route: R,
    input: CallInput<R>,
    onEvent: (event: EventOf<R>, type: string) => void,
    signal: AbortSignal,
    options: EventStreamOptions = {},
  ): Promise<void> {
    const { params, query, token } = input as {
      params?: Record<string, string>;
      query?: unknown;
      token?: string;
    };
    const url = this.url(routePath(route, params) + queryString(query));
    const auth = route.auth ? bearer(token!) : {};
    return openEvents(this.fetchImpl, route, url, auth, onEvent, signal, options);
  }

  /** GET /v1/keys: the keys to pin. */
  async keys(): Promise<BankKeysInfo> {
    const answer = await this.call(routes.keys, {});
    const key = (hex: string, field: string): Uint8Array => {
      const publicKey = fromHex(hex);
      if (!isValidPublicKey(publicKey)) throw malformed(what(routes.keys), `${field}: not P-256`);
      return publicKey;
    };
    if (answer.signKeys.length === 0) throw malformed(what(routes.keys), 'signKeys: empty');
    const current = answer.kemKeys
      .map((k, i) => ({ k, i }))
      .filter(({ k }) => k.retiredAt === null)
      .sort((a, b) => Date.parse(b.k.createdAt) - Date.parse(a.k.createdAt))[0];
    if (!current) throw malformed(what(routes.keys), 'kemKeys: no current key');
    const sign = answer.signKeys.findIndex((k) => k.retiredAt === null);
    if (sign < 0) throw malformed(what(routes.keys), 'signKeys: no current key');
    const announced = [...answer.signKeys, ...answer.kemKeys].flatMap((k) =>
      k.announcement === null ? [] : [fromHex(k.announcement)],
    );
    return {
      signKeys: answer.signKeys.map((k, i) => key(k.publicKey, `signKeys.${i}.publicKey`)),
      kemKey: key(current.k.publicKey, `kemKeys.${current.i}.publicKey`),
      signKey: key(answer.signKeys[sign]!.publicKey, `signKeys.${sign}.publicKey`),
      announcements: announced,
    };
  }

  /** POST /v1/auth/login. @returns the access token */
  async login(email: string, password: string): Promise<string> {
    return (await this.call(routes.login, { body: { email, password } })).accessToken;
  }

  /** POST /v1/enrollment/challenge: a single-use challenge (5 minutes) to sign. */
  async challenge(token: string): Promise<{ challengeId: string; challenge: Uint8Array }> {
    const { challengeId, challenge } = await this.call(routes.enrollmentChallenge, { token });
    return { challengeId, challenge: fromBase64Url(challenge) };
  }

  /** POST /v1/enrollment/payer: certifies the payer key, reserving `limitMinor`. */
  async enrollPayer(token: string, input: PayerEnrollment): Promise<EnrolledPayer> {
    const body = {
      challengeId: input.challengeId,
      signKey: toBase64Url(input.signKey),
      signature: toBase64Url(input.signature),
      limitMinor: input.limitMinor.toString(),
    };
    const issued = await this.call(routes.enrollPayer, { token, body });
    return { ...issued, certificate: fromBase64Url(issued.certificate) };
  }

  /** POST /v1/enrollment/payee: certifies the receiver's keys under its display name. */
  async enrollPayee(token: string, input: PayeeEnrollment): Promise<EnrolledPayee> {
    const body = {
      challengeId: input.challengeId,
      signKey: toBase64Url(input.signKey),
      kemKey: toBase64Url(input.kemKey),
      signature: toBase64Url(input.signature),
    };
    const issued = await this.call(routes.enrollPayee, { token, body });
    return { ...issued, certificate: fromBase64Url(issued.certificate) };
  }

  /**
   * GET /v1/revocations: the signed list, or with `since` (the seq of the list held) the signed
   * delta from it when the bank has one, and the bank's clock (Unix seconds).
   */
  async revocations(since?: number): Promise<RevocationsInfo> {
    const query = since === undefined ? {} : { query: { since: String(since) } };
    const answer = await this.call(routes.revocations, query);
    const signed = fromBase64Url(answer.signed);
    const bankTime = seconds(answer.bankTime, routes.revocations, 'bankTime');
    return answer.kind === 'delta'
      ? { kind: 'delta', fromSeq: answer.fromSeq, toSeq: answer.toSeq, signed, bankTime }
      : { kind: 'list', seq: answer.seq, signed, bankTime };
  }

  /**
   * GET /v1/payer/sync: what settled per payer certificate, and the bank's clock. Totals the
   * wallet turns into money must fit one (≤ 2^53 − 1 minor units, where the contract allows a
   * Postgres bigint): a larger one is refused before anything is applied.
   */
  async payerSync(token: string): Promise<PayerSync> {
    const answer = await this.call(routes.payerSync, { token });
    answer.certificates.forEach((c, i) => {
      for (const field of ['settledMinor', 'reserveRemainingMinor'] as const) {
        if (BigInt(c[field]) > BigInt(MAX_AMOUNT)) {
          throw malformed(what(routes.payerSync), `certificates.${i}.${field}: over 2^53 − 1`);
        }
      }
    });
    return { ...answer, bankTime: seconds(answer.bankTime, routes.payerSync, 'bankTime') };
  }

  /** GET /v1/accounts/me: the caller's accounts and balances. */
  async accounts(token: string): Promise<AccountView[]> {
    return (await this.call(routes.accounts, { token })).accounts;
  }

  /**
   * POST /v1/payments/:paymentId/refunds: refunds `amountMinor` of a payment settled to the
   * caller. `key` makes it idempotent: send the same key again to repeat the same refund.
   */
  refund(token: string, input: RefundInput): Promise<RefundAnswer> {
    return this.call(routes.refundPayment, {
      token,
      params: { paymentId: input.paymentId },
      headers: { 'idempotency-key': input.key },
      body: { amountMinor: input.amountMinor.toString(), reason: input.reason },
    });
  }

  /** GET /v1/payments/:paymentId/refunds: the payment's refunds and what remains refundable. */
  refunds(token: string, paymentId: string): Promise<RefundablePayment> {
    return this.call(routes.paymentRefunds, { token, params: { paymentId } });
  }

  /** GET /v1/certificates: the caller's wallets and tills, newest first. */
  async certificates(token: string): Promise<OwnCertificate[]> {
    return (await this.call(routes.certificates, { token })).certificates;
  }

  /**
   * POST /v1/certificates/:serial/report: the device holding the caller's certificate is lost or
   * stolen; revoked as compromised at once (idempotent).
   */
  reportCertificate(
    token: string,
    serial: string,
    reason: 'lost' | 'stolen',
  ): Promise<CertificateReport> {
    return this.call(routes.reportCertificate, { token, params: { serial }, body: { reason } });
  }

  /** POST /v1/payee/handovers (no login): a new till takes over a stolen till's ledger. */
  ledgerHandover(handover: Uint8Array): Promise<LedgerHandoverAnswer> {
    return this.call(routes.ledgerHandover, { body: { handover: toBase64Url(handover) } });
  }

  /** POST /v1/fraud-proofs (no login): the bank checks the proof and revokes the payer. */
  reportFraudProof(proof: Uint8Array): Promise<FraudReport> {
    return this.call(routes.reportFraudProof, { body: { proof: toBase64Url(proof) } });
  }

  /** POST /v1/settlements with the sealed batch bytes (no login). */
  async settle(sealedBatch: Uint8Array): Promise<SettlementAnswer> {
    const answer = await this.call(routes.settle, {
      body: { sealed: toBase64Url(sealedBatch) },
    });
    return { ...answer, signed: fromBase64Url(answer.signed) };
  }

  /**
   * GET /v1/settlements/events as a stream read with fetch (Bearer header; EventSource cannot
   * send one). Calls `onEvent` per `settlement` event until `signal` aborts. Resolves once the
   * stream is open (so the caller may then post the batch), and never rejects after that.
   * Before that it rejects like every call (an abort rejects with the signal's reason). Events
   * off the contract (`routes.settlementEvents.event`) are skipped; an error thrown by `onEvent`
   * does not end the stream.
   */
  async events(
    token: string,
    payeeKidHex: string,
    onEvent: (event: SettlementEvent) => void,
    signal: AbortSignal,
    options: EventStreamOptions = {},
  ): Promise<void> {
    const query = { payeeKid: payeeKidHex };
    if (!routes.settlementEvents.query.safeParse(query).success) {
      throw new TypeError('payeeKidHex: 16 hex digits');
    }
    return this.stream(
      routes.settlementEvents,
      { token, query },
      (event) => onEvent(event),
      signal,
      { types: ['settlement'], ...options },
    );
  }
}

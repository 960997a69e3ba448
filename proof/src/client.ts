/**
 * The bank's HTTP API as a client uses it — users, operators, merchants, payer and payee
 * devices, settlement — with @offpay/protocol for everything offline, exactly as the apps do.
 */
import { createHmac } from 'node:crypto';
import {
  compressPublicKey,
  fromBase64Url,
  fromHex,
  generateSecretKey,
  getPublicKey,
  kid,
  randomBytes,
  toBase64Url,
} from '@offpay/crypto';
import {
  appendToLedger,
  createPayment,
  decodePayeeCertificate,
  decodePayment,
  decodePayerCertificate,
  emptyLedgerHead,
  encodePayment,
  encodeSettlementBatch,
  initialChainState,
  payerGenesis,
  sealSettlementBatch,
  signEnrollment,
  signPayment,
  signSettlementBatch,
  type LedgerEntry,
  type LedgerHead,
  type PayeeCertificate,
  type PayerCertificate,
  type PayerChainState,
  type Payment,
} from '@offpay/protocol';

/** An HTTP answer, read whole. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Longest any one request may take before the suite calls it a hang. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** One HTTP request to `baseUrl`. Network errors reject; every HTTP status resolves. */
export async function request(
  baseUrl: string,
  method: string,
  path: string,
  opts: {
    json?: unknown;
    body?: Uint8Array;
    headers?: Record<string, string>;
    token?: string;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | Uint8Array | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.body) body = opts.body;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** A registered, logged-in user. */
export interface User {
  email: string;
  password: string;
  userId: string;
  accountId: string;
  token: string;
}

/** A payer device enrolled under one certificate. */
export interface Payer {
  user: User;
  secretKey: Uint8Array;
  cert: PayerCertificate;
  chain: PayerChainState;
}

/** A receiver (till) with its own ledger. */
export interface Payee {
  user: User;
  secretKey: Uint8Array;
  cert: PayeeCertificate;
  kid: Uint8Array;
  ledger: LedgerEntry[];
  head: LedgerHead;
  /** The bank's settled head as the till knows it. */
  settled: LedgerHead;
}

function expectStatus(res: Answer, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 500)}`);
}

let users = 0;

/**
 * Runs a client step again while the bank answers 503 (a dependency is down or slow: the
 * documented answer, with Retry-After), as an app does; at most 10 times, a second apart.
 */
async function whileUnavailable<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const unavailable =
        err instanceof Error && / 503 \{"code":"BANK_UNAVAILABLE"/.test(err.message);
      if (!unavailable || attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Registers and logs in a user. */
export function registerUser(base: string, displayName = 'Proof User'): Promise<User> {
  return whileUnavailable(() => registerUserOnce(base, displayName));
}

async function registerUserOnce(base: string, displayName: string): Promise<User> {
  const email = `proof${++users}-${toBase64Url(randomBytes(6)).toLowerCase()}@example.com`;
  const password = 'proof suite password';
  const reg = await request(base, 'POST', '/v1/auth/register', {
    json: { email, password, displayName, currency: 'EUR' },
  });
  expectStatus(reg, 201, 'register');
  const { userId, accountId } = reg.json<{ userId: string; accountId: string }>();
  const user = { email, password, userId, accountId, token: '' };
  await login(base, user);
  return user;
}

/** Logs `user` in again (after the bank clock moved past its token). */
export async function login(base: string, user: User): Promise<void> {
  const res = await request(base, 'POST', '/v1/auth/login', {
    json: { email: user.email, password: user.password },
  });
  expectStatus(res, 200, 'login');
  user.token = res.json<{ accessToken: string }>().accessToken;
}

async function challenge(base: string, user: User) {
  const res = await request(base, 'POST', '/v1/enrollment/challenge', { token: user.token });
  expectStatus(res, 201, 'challenge');
  const body = res.json<{ challengeId: string; challenge: string }>();
  return { challengeId: body.challengeId, challenge: fromBase64Url(body.challenge) };
}

/** Enrolls a payer device reserving `limit` from the user's (funded) account. */
export function enrollPayer(base: string, user: User, limit: bigint): Promise<Payer> {
  return whileUnavailable(() => enrollPayerOnce(base, user, limit));
}

async function enrollPayerOnce(base: string, user: User, limit: bigint): Promise<Payer> {
  // Signed in first, as the apps do: a payer enrollment needs a sign-in at most
  // ENROLL_SIGN_IN_MAX_AGE_SECONDS old (a long workload outlives it).
  await login(base, user);
  const secretKey = generateSecretKey();
  const signKey = getPublicKey(secretKey);
  const c = await challenge(base, user);
  const req = {
    kind: 'payer' as const,
    challenge: c.challenge,
    signKey,
    kemKey: new Uint8Array(0),
  };
  const res = await request(base, 'POST', '/v1/enrollment/payer', {
    token: user.token,
    json: {
      challengeId: c.challengeId,
      signKey: toBase64Url(signKey),
      signature: toBase64Url(signEnrollment(req, secretKey)),
      limitMinor: limit.toString(),
    },
  });
  expectStatus(res, 201, 'enroll payer');
  const cert = decodePayerCertificate(
    fromBase64Url(res.json<{ certificate: string }>().certificate),
  );
  return { user, secretKey, cert, chain: initialChainState(cert) };
}

/** Files a merchant application as `user`; returns its id. */
export async function applyAsMerchant(base: string, user: User, name: string): Promise<string> {
  const res = await request(base, 'POST', '/v1/merchant/application', {
    token: user.token,
    json: { legalName: `${name} Ltd`, displayName: name, contact: 'shop@example.com' },
  });
  expectStatus(res, 201, 'merchant application');
  return res.json<{ id: string }>().id;
}

/** Approves a merchant application as a signed-in operator. */
export async function approveMerchant(base: string, opToken: string, id: string): Promise<void> {
  const res = await request(base, 'POST', `/v1/operator/merchant-applications/${id}/approve`, {
    token: opToken,
    json: { reason: 'proof suite: verified' },
  });
  expectStatus(res, 200, 'approve merchant');
}

/** Enrolls a till for a verified merchant. */
export function enrollPayee(base: string, user: User): Promise<Payee> {
  return whileUnavailable(() => enrollPayeeOnce(base, user));
}

async function enrollPayeeOnce(base: string, user: User): Promise<Payee> {
  const secretKey = generateSecretKey();
  const kemSecret = generateSecretKey();
  const signKey = getPublicKey(secretKey);
  const kemKey = getPublicKey(kemSecret);
  const c = await challenge(base, user);
  const req = { kind: 'payee' as const, challenge: c.challenge, signKey, kemKey };
  const res = await request(base, 'POST', '/v1/enrollment/payee', {
    token: user.token,
    json: {
      challengeId: c.challengeId,
      signKey: toBase64Url(signKey),
      kemKey: toBase64Url(kemKey),
      signature: toBase64Url(signEnrollment(req, secretKey)),
    },
  });
  expectStatus(res, 201, 'enroll payee');
  const cert = decodePayeeCertificate(
    fromBase64Url(res.json<{ certificate: string }>().certificate),
  );
  const head = emptyLedgerHead(cert.serial);
  return { user, secretKey, cert, kid: kid(signKey), ledger: [], head, settled: head };
}

/** The payer pays the till at `nowSeconds` (device clock); the till appends it to its ledger. */
export function pay(payer: Payer, payee: Payee, amount: number, nowSeconds: number): Payment {
  const made = createPayment(payer.cert, payer.chain, payer.secretKey, {
    amount,
    payeeKid: payee.kid,
    payeeCurrency: payee.cert.currency,
    requestId: randomBytes(16),
    now: nowSeconds,
  });
  payer.chain = made.state;
  append(payee, made.payment);
  return made.payment;
}

/**
 * Signs a first payment (counter 1 from the payer genesis) with any amount, honest or not: two
 * of them are an equivocation, the double spend a cheating phone makes.
 */
export function craftFirstPayment(
  payer: Payer,
  payee: Payee,
  amount: number,
  nowSeconds: number,
): Payment {
  const serial = payer.cert.serial;
  return signPayment(
    {
      serial,
      counter: 1,
      prev: payerGenesis(serial),
      spent: amount,
      amount,
      payeeKid: payee.kid,
      createdAt: nowSeconds,
      requestId: randomBytes(16),
    },
    payer.cert,
    payer.secretKey,
  );
}

/** Appends any payment (honest or crafted) to the till's ledger. */
export function append(payee: Payee, payment: Payment): void {
  const { entry, head } = appendToLedger(payee.head, payment, encodePayment(payment));
  payee.ledger.push(entry);
  payee.head = head;
}

/** The bank's current KEM key (GET /v1/keys). */
export async function bankKemKey(base: string): Promise<Uint8Array> {
  const res = await request(base, 'GET', '/v1/keys');
  expectStatus(res, 200, 'keys');
  const keys = res.json<{ kemKeys: { publicKey: string; retiredAt: string | null }[] }>().kemKeys;
  const current = keys.find((k) => k.retiredAt === null) ?? keys[keys.length - 1]!;
  return compressPublicKey(fromHex(current.publicKey));
}

/** How many of the till's entries the bank has not settled yet. */
export function unsettled(payee: Payee): number {
  return payee.ledger.length - payee.settled.nextIndex;
}

/** A sealed batch of the till's entries from its settled head (or of `payments`). */
export function sealedBatch(
  payee: Payee,
  kemKey: Uint8Array,
  payments?: Payment[],
): { sealed: Uint8Array; batchKey: Uint8Array; count: number } {
  const list =
    payments ?? payee.ledger.slice(payee.settled.nextIndex).map((e) => decodePayment(e.payment));
  const batch = signSettlementBatch(
    { payeeKid: payee.kid, from: payee.settled, payments: list },
    payee.secretKey,
  );
  return {
    sealed: sealSettlementBatch(encodeSettlementBatch(batch), kemKey),
    batchKey: batch.batchKey,
    count: list.length,
  };
}

/** POST /v1/settlements with the raw sealed bytes. */
export function postBatch(base: string, sealed: Uint8Array): Promise<Answer> {
  return request(base, 'POST', '/v1/settlements', {
    body: sealed,
    headers: { 'content-type': 'application/cbor' },
  });
}

/** One settlement answer as the bank sends it. */
export interface SettlementAnswer {
  batchKey: string;
  fromIndex: number;
  head: string;
  replayed: boolean;
  signed: string;
  results: { index: number; paymentId: string; status: string; code: string }[];
}

/** After a 200: the till's settled head moves to the bank's. */
export function markSettled(payee: Payee, answer: SettlementAnswer, count: number): void {
  payee.settled = { nextIndex: answer.fromIndex + count, head: fromHex(answer.head) };
}

/** RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s) of a base32 secret at `atMs`. */
export function totp(base32Secret: string, atMs: number): string {
  const key = base32Decode(base32Secret);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

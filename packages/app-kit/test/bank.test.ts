/**
 * The bank client's parsing and error mapping, with canned answers shaped like the bank's route
 * schemas (the real bank is exercised end to end in e2e/).
 */
import {
  generateSecretKey,
  getPublicKey,
  randomBytes,
  toBase64Url,
  toHex,
  utf8,
} from '@offpay/crypto';
import { describe, expect, it, vi } from 'vitest';
import { routes } from '@offpay/api';
import { LIMITS } from '@offpay/protocol';
import { BankClient, type SettlementEvent } from '../src/bank.js';
import { BANK_TIMEOUT_MS } from '../src/http.js';
import { BankRefusal, isBankRefusal } from '../src/errors.js';
import { SseParser } from '../src/sse.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
const PASSWORD = 'alice-demo-password';
const KID = '0123456789abcdef';

type Answer = Response | Error | ((init: RequestInit) => Promise<Response>);

function bank(...answers: Answer[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = ((url: string, init: RequestInit) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new Error('no canned answer left');
    if (answer instanceof Error) return Promise.reject(answer);
    return answer instanceof Response ? Promise.resolve(answer) : answer(init);
  }) as typeof fetch;
  return { client: new BankClient('http://bank.test/', fetchImpl), calls };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { code?: string },
  );
}

const hexKey = () => toHex(getPublicKey(generateSecretKey()));
const keyView = (
  publicKey: string,
  retiredAt: string | null,
  createdAt = '2026-01-01T00:00:00.000Z',
) => ({
  kid: '00'.repeat(8),
  publicKey,
  createdAt,
  retiredAt,
  previousKid: null,
  announcement: null,
});

const USER_ID = '0b9d6c1e-5f4a-4e8b-9c3d-2a1f0e9d8c7b';
const ACCOUNT_ID = '3b0c1f3e-2a1d-4c55-9a53-6f0f8f7a1e11';

const syncPayment = (counter: number, amountMinor = '250') => ({
  paymentId: toHex(utf8(String(counter).padStart(32, '0'))),
  counter,
  amountMinor,
  settledAt: '2026-01-01T00:00:05.000Z',
  refundedMinor: '0',
});

const syncCertificate = (over: Record<string, unknown> = {}) => ({
  serial: '7',
  status: 'active',
  currency: 'EUR',
  limitMinor: '1000',
  settledMinor: '250',
  reserveRemainingMinor: '750',
  expiresAt: '2026-01-08T00:00:00.000Z',
  closedAt: null,
  reserveReleasedAt: null,
  payments: [syncPayment(1)],
  paymentsTruncated: false,
  ...over,
});

const event = (fromIndex: number): SettlementEvent => ({
  batchKey: 'ab'.repeat(32),
  payeeKid: KID,
  fromIndex,
  head: 'cd'.repeat(32),
  settledAt: 1_800_000_000,
  results: [
    { index: fromIndex, paymentId: '11'.repeat(32), status: 'settled', code: '' },
    {
      index: fromIndex + 1,
      paymentId: '22'.repeat(32),
      status: 'rejected',
      code: 'PROTO_CERT_EXPIRED',
    },
  ],
});

describe('answers', () => {
  it('pins every signing key and the current KEM key from GET /v1/keys', async () => {
    const [s1, s2, oldKem, newKem] = [hexKey(), hexKey(), hexKey(), hexKey()];
    const { client, calls } = bank(
      json(200, {
        signKeys: [keyView(s1, null), keyView(s2, '2026-02-01T00:00:00.000Z')],
        kemKeys: [
          keyView(oldKem, '2026-02-01T00:00:00.000Z'),
          keyView(newKem, null, '2026-02-01T00:00:00.000Z'),
        ],
      }),
    );
    const keys = await client.keys();
    expect(calls[0]!.url).toBe('http://bank.test/v1/keys');
    expect(keys.signKeys.map(toHex)).toEqual([s1, s2]);
    expect(toHex(keys.kemKey)).toBe(newKem);
  });

  it('refuses keys that are not P-256 points, or no current KEM key', async () => {
    const notAPoint = `02${'ff'.repeat(32)}`;
    const { client } = bank(
      json(200, { signKeys: [keyView(notAPoint, null)], kemKeys: [keyView(hexKey(), null)] }),
      json(200, {
        signKeys: [keyView(hexKey(), null)],
        kemKeys: [keyView(hexKey(), '2026-02-01T00:00:00Z')],
      }),
    );
    expect(await failure(client.keys())).toMatchObject({ code: 'APP_BANK_RESPONSE' });
    expect(await failure(client.keys())).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  it('reads the largest key list the contract allows (2 × 256 keys with announcements)', async () => {
    const key = { ...keyView(hexKey(), null), announcement: 'ab'.repeat(1024) };
    const largest = { signKeys: Array(256).fill(key), kemKeys: Array(256).fill(key) };
    expect(JSON.stringify(largest).length).toBeGreaterThan(1 << 20);
    const { client } = bank(
      json(200, largest),
      json(200, { ...largest, kemKeys: Array(257).fill(key) }),
    );
    expect((await client.keys()).signKeys).toHaveLength(256);
    expect(await failure(client.keys())).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  // Regression (issue #12 item 5): a list of ~40,000 serials or more was over the 1 MiB bound of
  // every answer, so a device kept its old list once the bank revoked that many.
  it('reads the largest revocation list the contract allows (150,000 serials)', async () => {
    const largest = {
      kind: 'list',
      seq: 9,
      issuedAt: '2026-01-01T00:00:00.000Z',
      serials: Array<string>(LIMITS.revocationListEntries).fill('9007199254740991'),
      signed: toBase64Url(new Uint8Array(LIMITS.revocationListBytes).fill(7)),
      bankTime: '2026-01-01T00:00:00.000Z',
    };
    expect(JSON.stringify(largest).length).toBeGreaterThan(4 << 20);
    const { client } = bank(json(200, largest));
    expect(await client.revocations()).toMatchObject({ kind: 'list', seq: 9 });
  });

  it('logs in with a JSON body; the password never reaches the URL or an error', async () => {
    const { client, calls } = bank(
      json(200, {
        accessToken: TOKEN,
        tokenType: 'Bearer',
        expiresIn: 900,
        expiresAt: '2026-01-01T00:15:00.000Z',
      }),
      json(401, {
        code: 'BANK_BAD_CREDENTIALS',
        message: 'Email or password is wrong',
        details: {},
      }),
      new TypeError('fetch failed'),
    );
    expect(await client.login('alice@example.com', PASSWORD)).toBe(TOKEN);
    expect(calls[0]!.init.method).toBe('POST');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({
      email: 'alice@example.com',
      password: PASSWORD,
    });
    const refused = await failure(client.login('alice@example.com', PASSWORD));
    expect(isBankRefusal(refused)).toBe(true);
    expect(refused).toBeInstanceOf(BankRefusal);
    expect(refused).toMatchObject({ code: 'BANK_BAD_CREDENTIALS', status: 401 });
    const offline = await failure(client.login('alice@example.com', PASSWORD));
    expect(offline).toMatchObject({ code: 'APP_OFFLINE' });
    for (const call of calls) expect(call.url).not.toContain(PASSWORD);
    for (const e of [refused, offline])
      expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(PASSWORD);
  });

  it('sends the token as a Bearer header only, and decodes the challenge', async () => {
    const challenge = randomBytes(32);
    const { client, calls } = bank(
      json(201, {
        challengeId: 'A'.repeat(22),
        challenge: toBase64Url(challenge),
        expiresAt: '2026-01-01T00:05:00.000Z',
      }),
    );
    const answer = await client.challenge(TOKEN);
    expect(answer).toEqual({ challengeId: 'A'.repeat(22), challenge });
    expect(calls[0]!.url).toBe('http://bank.test/v1/enrollment/challenge');
    expect(calls[0]!.url).not.toContain(TOKEN);
    expect((calls[0]!.init.headers as Record<string, string>)['authorization']).toBe(
      `Bearer ${TOKEN}`,
    );
  });

  it('enrolls a payer with base64url keys and a decimal limit', async () => {
    const signKey = getPublicKey(generateSecretKey());
    const signature = randomBytes(64);
    const certificate = randomBytes(150);
    const { client, calls } = bank(
      json(201, {
        serial: '7',
        certificate: toBase64Url(certificate),
        expiresAt: '2026-01-08T00:00:00.000Z',
        limitMinor: '1000',
        currency: 'EUR',
      }),
    );
    const issued = await client.enrollPayer(TOKEN, {
      challengeId: 'A'.repeat(22),
      signKey,
      signature,
      limitMinor: 1000n,
    });
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({
      challengeId: 'A'.repeat(22),
      signKey: toBase64Url(signKey),
      signature: toBase64Url(signature),
      limitMinor: '1000',
    });
    expect(issued).toEqual({
      serial: '7',
      certificate,
      expiresAt: '2026-01-08T00:00:00.000Z',
      limitMinor: '1000',
      currency: 'EUR',
    });
  });

  it('enrolls a payee and keeps its bank-verified display name', async () => {
    const { client, calls } = bank(
      json(201, {
        serial: '8',
        certificate: toBase64Url(randomBytes(180)),
        expiresAt: '2026-01-08T00:00:00.000Z',
        currency: 'EUR',
        displayName: 'Bob’s Café',
      }),
    );
    const key = getPublicKey(generateSecretKey());
    const issued = await client.enrollPayee(TOKEN, {
      challengeId: 'B'.repeat(22),
      signKey: key,
      kemKey: key,
      signature: randomBytes(64),
    });
    expect(issued.displayName).toBe('Bob’s Café');
    expect(JSON.parse(calls[0]!.init.body as string)).toHaveProperty('kemKey', toBase64Url(key));
  });

  it('keeps display names of up to 64 characters, the contract bound', async () => {
    const payee = (displayName: string) =>
      json(201, {
        serial: '8',
        certificate: toBase64Url(randomBytes(180)),
        expiresAt: '2026-01-08T00:00:00.000Z',
        currency: 'EUR',
        displayName,
      });
    const { client } = bank(payee('é'.repeat(64)), payee('é'.repeat(65)));
    const key = getPublicKey(generateSecretKey());
    const input = {
      challengeId: 'B'.repeat(22),
      signKey: key,
      kemKey: key,
      signature: randomBytes(64),
    };
    expect((await client.enrollPayee(TOKEN, input)).displayName).toBe('é'.repeat(64));
    expect(await failure(client.enrollPayee(TOKEN, input))).toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
  });

  it("reads the revocation list or a delta and the bank's clock as Unix seconds", async () => {
    const signed = randomBytes(100);
    const body = {
      kind: 'list',
      seq: 3,
      issuedAt: '2026-01-01T00:00:00.000Z',
      serials: ['4'],
      signed: toBase64Url(signed),
    };
    const delta = {
      kind: 'delta',
      fromSeq: 3,
      toSeq: 5,
      issuedAt: '2026-01-01T00:00:00.000Z',
      added: ['9'],
      removed: [],
      signed: toBase64Url(signed),
      bankTime: '2027-01-15T08:00:01.900Z',
    };
    const { client, calls } = bank(
      json(200, { ...body, bankTime: '2027-01-15T08:00:01.900Z' }),
      json(200, delta),
      json(200, body),
    );
    expect(await client.revocations()).toEqual({
      kind: 'list',
      seq: 3,
      signed,
      bankTime: Date.UTC(2027, 0, 15, 8, 0, 1) / 1000,
    });
    expect(calls[0]!.init.cache).toBe('no-store');
    expect(await client.revocations(3)).toEqual({
      kind: 'delta',
      fromSeq: 3,
      toSeq: 5,
      signed,
      bankTime: Date.UTC(2027, 0, 15, 8, 0, 1) / 1000,
    });
    expect(calls[1]!.url).toMatch(/\/v1\/revocations\?since=3$/);
    expect(await failure(client.revocations())).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  it('reads payer sync and accounts', async () => {
    const { client } = bank(
      json(200, { bankTime: '2026-01-01T00:00:10.000Z', certificates: [syncCertificate()] }),
      json(200, {
        userId: USER_ID,
        accounts: [
          { accountId: ACCOUNT_ID, kind: 'customer', currency: 'EUR', balanceMinor: '250' },
        ],
      }),
      json(200, {
        userId: USER_ID,
        accounts: [
          { accountId: ACCOUNT_ID, kind: 'customer', currency: 'EUR', balanceMinor: '-1' },
        ],
      }),
    );
    const sync = await client.payerSync(TOKEN);
    expect(sync.bankTime).toBe(Date.UTC(2026, 0, 1, 0, 0, 10) / 1000);
    expect(sync.certificates[0]).toMatchObject({
      serial: '7',
      settledMinor: '250',
      reserveRemainingMinor: '750',
    });
    expect(sync.certificates[0]!.payments[0]).toEqual(syncPayment(1));
    expect(await client.accounts(TOKEN)).toEqual([
      { accountId: ACCOUNT_ID, kind: 'customer', currency: 'EUR', balanceMinor: '250' },
    ]);
    // The contract: a balance is never negative.
    expect(await failure(client.accounts(TOKEN))).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  it.each([
    ['a negative limit', { limitMinor: '-1' }],
    ['a settled total past 2^53 - 1', { settledMinor: '9007199254740992' }],
    ['a reserve past 2^53 - 1', { reserveRemainingMinor: '9223372036854775807' }],
    ['a payment amount of 17 digits', { payments: [syncPayment(1, '12345678901234567')] }],
    ['a negative payment amount', { payments: [syncPayment(1, '-250')] }],
  ])('refuses a payer sync with %s: an amount no wallet can hold', async (_what, over) => {
    const { client } = bank(
      json(200, { bankTime: '2026-01-01T00:00:10.000Z', certificates: [syncCertificate()] }),
      json(200, { bankTime: '2026-01-01T00:00:10.000Z', certificates: [syncCertificate(over)] }),
    );
    // The same answer without the change is read: the change alone is refused.
    expect((await client.payerSync(TOKEN)).certificates).toHaveLength(1);
    expect(await failure(client.payerSync(TOKEN))).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  it('reads a payer sync at the contract bounds (100 × 500), and refuses one past them', async () => {
    const full = (certificates: number, payments: number) =>
      json(200, {
        bankTime: '2026-01-01T00:00:10.000Z',
        certificates: Array.from({ length: certificates }, (_, c) =>
          syncCertificate({
            serial: String(9_007_199_254_740_991 - c),
            limitMinor: '9007199254740991',
            settledMinor: '9007199254740991',
            reserveRemainingMinor: '0',
            closedAt: '2026-01-02T00:00:00.000Z',
            reserveReleasedAt: '2026-01-02T00:00:00.000Z',
            payments: Array.from({ length: payments }, (_, p) =>
              syncPayment(9_007_199_254_740_991 - p, '9007199254740991'),
            ),
            paymentsTruncated: true,
          }),
        ),
      });
    const largest = full(100, 500);
    expect((await largest.clone().text()).length).toBeGreaterThan(1 << 20);
    const { client } = bank(largest, full(101, 1), full(1, 501));
    const sync = await client.payerSync(TOKEN);
    expect(sync.certificates).toHaveLength(100);
    expect(sync.certificates.every((c) => c.payments.length === 500)).toBe(true);
    expect(await failure(client.payerSync(TOKEN))).toMatchObject({ code: 'APP_BANK_RESPONSE' });
    expect(await failure(client.payerSync(TOKEN))).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  it('sends any JSON route of the contract with call(): path parameters, query, token', async () => {
    const item = (amountMinor: string) => ({
      postingId: '9',
      transferId: '4',
      kind: 'reserve',
      reference: 'payer certificate 7',
      accountId: ACCOUNT_ID,
      currency: 'EUR',
      amountMinor,
      at: '2026-01-01T00:00:00.000Z',
    });
    const { client, calls } = bank(
      json(200, {
        serial: '12',
        kind: 'payer',
        status: 'closed',
        reason: 'closed',
        closedAt: '2026-01-01T00:00:00.000Z',
      }),
      // A history item is the one amount that may be negative: money out.
      json(200, { items: [item('-1000'), item('1000')], nextBefore: null }),
    );
    const closed = await client.call(routes.closeCertificate, {
      token: TOKEN,
      params: { serial: '12' },
    });
    expect(closed).toMatchObject({ serial: '12', status: 'closed' });
    expect(calls[0]!.url).toBe('http://bank.test/v1/certificates/12/close');
    expect(calls[0]!.init.method).toBe('POST');
    const history = await client.call(routes.accountHistory, {
      token: TOKEN,
      query: { limit: 2, before: '10' },
    });
    expect(history.items.map((i) => i.amountMinor)).toEqual(['-1000', '1000']);
    expect(calls[1]!.url).toBe('http://bank.test/v1/accounts/me/history?limit=2&before=10');
    for (const call of calls) {
      expect((call.init.headers as Record<string, string>)['authorization']).toBe(
        `Bearer ${TOKEN}`,
      );
    }
  });

  it('reports a fraud proof as {"proof": base64url}, no login, and reads the revocation', async () => {
    const proof = randomBytes(300);
    const report = {
      serial: '77',
      kind: 'fork',
      first: 'aa'.repeat(32),
      second: 'bb'.repeat(32),
      revoked: true,
    };
    const { client, calls } = bank(
      json(200, { ...report, first: 'a', second: 'b' }),
      json(200, report),
      json(422, { code: 'PROTO_FRAUD_PROOF_INVALID', message: 'not a proof', details: {} }),
    );
    // Payment ids are 32 bytes of hex in the contract.
    expect(await failure(client.reportFraudProof(proof))).toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
    expect(await client.reportFraudProof(proof)).toEqual(report);
    expect(calls[1]!.url).toBe('http://bank.test/v1/fraud-proofs');
    expect(JSON.parse(calls[1]!.init.body as string)).toEqual({ proof: toBase64Url(proof) });
    expect(calls[1]!.init.headers).not.toHaveProperty('authorization');
    expect(await failure(client.reportFraudProof(proof))).toMatchObject({
      code: 'PROTO_FRAUD_PROOF_INVALID',
      status: 422,
    });
  });

  it('settles a sealed batch as {"sealed": base64url} and decodes the signed result', async () => {
    const sealed = randomBytes(300);
    const signed = randomBytes(200);
    const { client, calls } = bank(
      json(200, { ...event(0), replayed: false, signed: toBase64Url(signed) }),
    );
    const answer = await client.settle(sealed);
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ sealed: toBase64Url(sealed) });
    expect(calls[0]!.init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(answer).toEqual({ ...event(0), replayed: false, signed });
  });
});

describe('failures', () => {
  it('counts a bank that never answers as offline after BANK_TIMEOUT_MS, streams included', async () => {
    vi.useFakeTimers();
    try {
      const hanging = (_url: unknown, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          ),
        );
      const client = new BankClient('http://bank.test', hanging);
      const keys = failure(client.keys());
      const stream = failure(
        client.events('t'.repeat(20), '0123456789abcdef', () => {}, new AbortController().signal),
      );
      await vi.advanceTimersByTimeAsync(BANK_TIMEOUT_MS + 1);
      expect(await keys).toMatchObject({ code: 'APP_OFFLINE', details: { reason: 'timeout' } });
      expect(await stream).toMatchObject({ code: 'APP_OFFLINE', details: { reason: 'timeout' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('maps each kind of failure to its code', async () => {
    const { client } = bank(
      new TypeError('Failed to fetch'),
      new Response('{"accessToken":', { status: 200 }),
      json(200, { token: 'x' }),
      new Response('<html>oops</html>', { status: 500 }),
      new Response('<html>bad gateway</html>', { status: 502 }),
      json(409, {
        code: 'BANK_BATCH_NOT_CONTINUOUS',
        message: 'The batch does not continue',
        details: { expectedFromIndex: 4 },
      }),
      json(422, { code: 'not a code', message: 'x' }),
    );
    expect(await failure(client.keys())).toMatchObject({ code: 'APP_OFFLINE' });
    expect(await failure(client.login('a@b.c', PASSWORD))).toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
    expect(await failure(client.login('a@b.c', PASSWORD))).toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
    expect(await failure(client.keys())).toMatchObject({
      code: 'APP_BANK_RESPONSE',
      details: { status: 500 },
    });
    expect(await failure(client.keys())).toMatchObject({ code: 'APP_OFFLINE' });
    const refused = await failure(client.settle(randomBytes(10)));
    expect(isBankRefusal(refused)).toBe(true);
    expect(refused).toBeInstanceOf(BankRefusal);
    expect(refused).toMatchObject({
      code: 'BANK_BATCH_NOT_CONTINUOUS',
      status: 409,
      details: { expectedFromIndex: 4 },
    });
    expect(await failure(client.settle(randomBytes(10)))).toMatchObject({
      code: 'APP_BANK_RESPONSE',
    });
  });

  it("reads error answers with the contract's errorBody, messages up to 1,000 characters", async () => {
    const refusedWith = (message: string, code = 'BANK_CHALLENGE_INVALID') =>
      json(400, { code, message, details: {} });
    const { client } = bank(
      refusedWith('x'.repeat(1000)),
      refusedWith('x'.repeat(1001)),
      refusedWith('The bank is closed on Sundays.', 'BANK_CLOSED_ON_SUNDAYS'),
      json(400, { code: 'BANK_CHALLENGE_INVALID', message: 'no', details: { nested: { a: 1 } } }),
    );
    const long = await failure(client.challenge(TOKEN));
    expect(long).toMatchObject({ code: 'BANK_CHALLENGE_INVALID', status: 400 });
    expect(long.message).toHaveLength(1000);
    expect(await failure(client.challenge(TOKEN))).toMatchObject({
      code: 'APP_BANK_RESPONSE',
      details: { status: 400 },
    });
    // A bank newer than the app: its code is kept and its words shown (wording.ts).
    const newer = await failure(client.challenge(TOKEN));
    expect(isBankRefusal(newer)).toBe(true);
    expect(newer).toMatchObject({
      code: 'BANK_CLOSED_ON_SUNDAYS',
      message: 'The bank is closed on Sundays.',
    });
    expect(await failure(client.challenge(TOKEN))).toMatchObject({ code: 'APP_BANK_RESPONSE' });
  });

  it('stops reading an answer past 1 MiB', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const { client } = bank(new Response(endless, { status: 200 }));
    expect(await failure(client.challenge(TOKEN))).toMatchObject({ code: 'APP_BANK_RESPONSE' });
    expect(sent).toBeLessThan(2 * 1024 * 1024);
  });
});

const FRAMES = [
  'retry: 5000\n: following 1 payee certificate(s)\n\n',
  `event: settlement\ndata: ${JSON.stringify(event(0))}\n\n`,
  ': heartbeat — café\n\n',
  'event: other\ndata: {}\n\n',
  'event: settlement\ndata: {"batchKey":"nope"}\n\n',
  // CRLF line ends and the JSON split over two data lines.
  `event: settlement\r\ndata: ${JSON.stringify(event(2)).replace(',"head"', '\r\ndata: ,"head"')}\r\n\r\n`,
  'event: settlement\ndata: {"unterminated": \n',
].join('');

function sse(chunks: Uint8Array[], close = true): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      if (close) controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
  });
}

async function collect(chunks: Uint8Array[]): Promise<SettlementEvent[]> {
  const got: SettlementEvent[] = [];
  let closed!: () => void;
  const ended = new Promise<void>((resolve) => (closed = resolve));
  const { client, calls } = bank(sse(chunks));
  await client.events(TOKEN, KID, (e) => got.push(e), new AbortController().signal, {
    onClose: closed,
  });
  await ended;
  expect(calls[0]!.url).toBe(`http://bank.test/v1/settlements/events?payeeKid=${KID}`);
  return got;
}

describe('settlement events', () => {
  it('delivers the settlement events of a stream split at every byte', async () => {
    const bytes = utf8(FRAMES);
    const expected = [event(0), event(2)];
    expect(await collect([bytes])).toEqual(expected);
    expect(await collect([...bytes].map((b) => Uint8Array.of(b)))).toEqual(expected);
    for (let i = 1; i < bytes.length; i++) {
      expect(await collect([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(expected);
    }
  });

  it('parses SSE framing: CR line ends, comments, multi-line data, no data no event', () => {
    const parser = new SseParser();
    const out = [
      ...parser.push('event: a\rdata: 1\r\r'),
      ...parser.push('event: skipped\n\n:comment\ndata\ndata:x\n\n'),
      ...parser.push('data: tail\r'),
      ...parser.push('\n\r\n'),
    ];
    expect(out).toEqual([
      { event: 'a', data: '1' },
      { event: 'message', data: '\nx' },
      { event: 'message', data: 'tail' },
    ]);
    expect(() => new SseParser(10).push('data: 0123456789')).toThrow(RangeError);
  });

  it('keeps going after a handler throws, and ends quietly on abort', async () => {
    const controller = new AbortController();
    const first = utf8(`event: settlement\ndata: ${JSON.stringify(event(0))}\n\n`);
    const { client } = bank(sse([first, first], false));
    const onClose = vi.fn();
    const seen: number[] = [];
    await client.events(
      TOKEN,
      KID,
      (e) => {
        seen.push(e.fromIndex);
        throw new Error('app bug');
      },
      controller.signal,
      { onClose },
    );
    await vi.waitFor(() => expect(seen).toEqual([0, 0]));
    expect(onClose).not.toHaveBeenCalled();
    controller.abort();
    await vi.waitFor(() => expect(onClose).toHaveBeenCalledOnce());
  });

  it('rejects before the stream opens like any call, never after', async () => {
    const controller = new AbortController();
    const { client } = bank(
      json(401, { code: 'BANK_TOKEN_EXPIRED', message: 'The token has expired', details: {} }),
      json(200, {}),
      new TypeError('network'),
      (init) =>
        new Promise((_, reject) =>
          init.signal!.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          ),
        ),
    );
    const events = () => client.events(TOKEN, KID, () => undefined, controller.signal);
    expect(await failure(events())).toMatchObject({ code: 'BANK_TOKEN_EXPIRED', status: 401 });
    expect(await failure(events())).toMatchObject({ code: 'APP_BANK_RESPONSE' });
    expect(await failure(events())).toMatchObject({ code: 'APP_OFFLINE' });
    const pending = failure(events());
    controller.abort(new Error('user left the screen'));
    expect((await pending).message).toBe('user left the screen');
    await expect(
      client.events(TOKEN, 'not-a-kid', () => undefined, controller.signal),
    ).rejects.toThrow(TypeError);
  });
});

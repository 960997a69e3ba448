/**
 * The apps' own payment paths, timed in the browser (driven by ../apps.bench.ts):
 * - pay: the wallet's commitPayment (create, seal, store the chain state and history in
 *   IndexedDB) and renderQr of the sealed payment onto a canvas in the page;
 * - accept: decodeQrText of the scanned text and the till's acceptPayment (open, verify offline,
 *   append to the hash-chained ledger and sign the receipt, in IndexedDB).
 * Certificates come from a bank key made here, as in the apps' unit tests; no network.
 */
import { createVault, openAppDb, pinKeys, qrMatrix, renderQr, withLock } from '@offpay/app-kit';
import {
  disableNativeP256,
  generateSecretKey,
  getPublicKey,
  hasNativeP256,
  randomBytes,
  sign,
  verifyAsync,
} from '@offpay/crypto';
import {
  decodeQrText,
  encodeCertificate,
  encodePaymentRequest,
  encodeQrText,
  issuePayeeCertificate,
  issuePayerCertificate,
  Money,
  paymentSealerAsync,
} from '@offpay/protocol';
import { completeEnrollment, enrollmentKey } from '../../../apps/sender/src/state/enroll.js';
import { commitPayment, preparePayment } from '../../../apps/sender/src/state/pay.js';
import { setupWallet } from '../../../apps/sender/src/state/wallet.js';
import { walletSchema } from '../../../apps/sender/src/db.js';
import { createRequest } from '../../../apps/receiver/src/state/requests.js';
import { META, SECRET, tillSchema } from '../../../apps/receiver/src/db.js';
import { loadTill } from '../../../apps/receiver/src/state/till.js';
import { acceptPayment } from '../../../apps/receiver/src/state/accept.js';

export interface BenchResult {
  pay: number[];
  prepare: number[];
  accept: number[];
  /** IndexedDB requests and Web Lock requests each path made per payment (the last payment's). */
  requests: { pay: Requests; accept: Requests };
  sealedBytes: number;
  userAgent: string;
  /** Whether WebCrypto's P-256 is in use (false: noble everywhere). */
  native: boolean;
}

const DAY = 86_400;

/** Requests a path made: IndexedDB requests (reads and writes), transactions and Web Locks. */
export interface Requests {
  idb: number;
  transactions: number;
  locks: number;
}

// Every IndexedDB request, transaction and Web Lock the page asks for, counted: what a payment
// costs in browser round trips, whatever the host's load (timings on a shared host move ±10 ms).
const counts: Requests = { idb: 0, transactions: 0, locks: 0 };
function countCalls(proto: object, names: readonly string[], field: keyof Requests): void {
  for (const name of names) {
    const original = (proto as Record<string, unknown>)[name];
    if (typeof original !== 'function') continue;
    (proto as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      counts[field]++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}
const REQUESTS = ['get', 'getAll', 'getAllKeys', 'getAllRecords', 'getKey', 'count', 'openCursor'];
countCalls(IDBObjectStore.prototype, [...REQUESTS, 'put', 'add', 'delete', 'clear'], 'idb');
countCalls(IDBIndex.prototype, REQUESTS, 'idb');
countCalls(IDBCursor.prototype, ['continue', 'advance'], 'idb');
countCalls(IDBDatabase.prototype, ['transaction'], 'transactions');
if (typeof LockManager !== 'undefined') countCalls(LockManager.prototype, ['request'], 'locks');
const snapshot = (): Requests => ({ ...counts });
const since = (before: Requests): Requests => ({
  idb: counts.idb - before.idb,
  transactions: counts.transactions - before.transactions,
  locks: counts.locks - before.locks,
});

/** Set by the harness: reads the page's main-thread CPU time before and after each accept. */
const cpuMark = (phase: 'start' | 'end') =>
  (
    window as unknown as { offpayCpuMark?: (phase: 'start' | 'end') => Promise<void> }
  ).offpayCpuMark?.(phase);

async function run(iterations: number, warmup: number, noble = false): Promise<BenchResult> {
  disableNativeP256(noble);
  const now = Math.floor(Date.now() / 1000);
  const bankSk = generateSecretKey();
  const pinned = { signKeys: [getPublicKey(bankSk)], kemKey: getPublicKey(generateSecretKey()) };
  const stamp = Date.now();

  // The wallet: set up and enrolled with a generous allowance.
  const walletDb = await openAppDb(walletSchema, `bench-wallet-${stamp}`);
  const wallet = await setupWallet(walletDb, 'bench passphrase', 'http://127.0.0.1:8787');
  const payerSk = await enrollmentKey(walletDb, wallet);
  const payerCert = issuePayerCertificate(
    {
      serial: 7001,
      signKey: getPublicKey(payerSk),
      currency: 'EUR',
      expiresAt: now + 7 * DAY,
      limit: 1_000_000_00,
    },
    bankSk,
  );
  await completeEnrollment(walletDb, wallet, {
    secretKey: payerSk,
    certificate: encodeCertificate(payerCert),
    pinned,
  });

  // The till: keys in its vault, its certificate and the pinned bank keys stored.
  const tillDb = await openAppDb(tillSchema, `bench-till-${stamp}`);
  const signSk = generateSecretKey();
  const kemSk = generateSecretKey();
  const tillVault = await createVault(tillDb, 'bench passphrase', {
    [SECRET.sign]: signSk,
    [SECRET.kem]: kemSk,
  });
  const payeeCert = issuePayeeCertificate(
    {
      serial: 7002,
      signKey: getPublicKey(signSk),
      kemKey: getPublicKey(kemSk),
      currency: 'EUR',
      expiresAt: now + 365 * DAY,
      displayName: "Bob's Market",
    },
    bankSk,
  );
  await tillDb.write([
    pinKeys(pinned),
    { put: 'meta', key: META.certificate, value: encodeCertificate(payeeCert) },
  ]);
  const till = await loadTill(tillDb, tillVault);
  if (!till) throw new Error('the till did not load');

  const host = document.querySelector<HTMLElement>('#qr')!;
  const result: BenchResult = {
    pay: [],
    prepare: [],
    accept: [],
    requests: { pay: snapshot(), accept: snapshot() },
    sealedBytes: 0,
    userAgent: navigator.userAgent,
    native: await hasNativeP256(),
  };
  for (let i = 0; i < warmup + iterations; i++) {
    const { request } = await createRequest(
      tillDb,
      till,
      { amount: Money.of(125, 'EUR'), memo: 'Coffee' },
      now,
    );
    const t0 = performance.now();
    const prepared = await preparePayment(walletDb, wallet, encodePaymentRequest(request));
    if (prepared.kind !== 'new') throw new Error('the request was already paid');
    const t1 = performance.now();
    const c1 = snapshot();
    const item = await commitPayment(walletDb, wallet, prepared);
    result.requests.pay = since(c1);
    const view = renderQr(item.sealed, 'Payment QR code');
    host.replaceChildren(view.element);
    const t2 = performance.now();
    view.stop();
    const text = encodeQrText(item.sealed); // what the till's camera reads off the code

    await cpuMark('start');
    const t3 = performance.now();
    const c3 = snapshot();
    await acceptPayment(tillDb, till, request.requestId, decodeQrText(text));
    const t4 = performance.now();
    result.requests.accept = since(c3);
    await cpuMark('end');
    if (i >= warmup) {
      result.prepare.push(t1 - t0);
      result.pay.push(t2 - t1);
      result.accept.push(t4 - t3);
    }
    result.sealedBytes = item.sealed.length;
  }
  return result;
}

/**
 * The parts a payment is made of, each timed alone (median ms of `n` after a warm-up): what the
 * two paths cost when a target is missed. Real IndexedDB, WebCrypto and noble, as the apps use them.
 */
async function parts(n: number): Promise<Record<string, number>> {
  const db = await openAppDb(tillSchema, `bench-parts-${Date.now()}`);
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const message = randomBytes(120);
  const signature = sign(message, sk);
  const sealed = randomBytes(360);
  const text = encodeQrText(sealed);
  const host = document.querySelector<HTMLElement>('#qr')!;
  const cases: Record<string, () => unknown> = {
    'Web Lock round trip (navigator.locks, empty)': () => withLock('bench', async () => {}),
    'IndexedDB readwrite transaction, 1 get': () =>
      db.transaction(['meta'], (tx) => tx.get('meta', 'x')),
    'IndexedDB readwrite transaction, 6 gets at once + 3 puts': () =>
      db.transaction(['meta'], async (tx) => {
        await Promise.all([1, 2, 3, 4, 5, 6].map((i) => tx.get('meta', `k${i}`)));
        await tx.write([1, 2, 3].map((i) => ({ put: 'meta' as const, key: `w${i}`, value: i })));
      }),
    'HPKE sender setup, WebCrypto ECDH (generateKey, deriveBits, exportKey)': () =>
      paymentSealerAsync(pk, randomBytes(16)),
    'ECDSA P-256 verify, WebCrypto': () => verifyAsync(signature, message, pk),
    'ECDSA P-256 sign, noble (RFC 6979)': () => sign(message, sk),
    'QR matrix of a 360-byte payment (version 15, mask search)': () => qrMatrix(text),
    // Stopped after insertion, as the apps stop a code's view when its screen is left: the next
    // code then reuses the canvas.
    'QR render: matrix + paint one pixel per module + insert': () => {
      const view = renderQr(sealed, 'code');
      host.replaceChildren(view.element);
      view.stop();
    },
  };
  const out: Record<string, number> = {};
  for (const [name, fn] of Object.entries(cases)) {
    const times: number[] = [];
    for (let i = 0; i < n + 5; i++) {
      const t0 = performance.now();
      await fn();
      if (i >= 5) times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out[name] = times[Math.floor(times.length / 2)]!;
  }
  db.close();
  return out;
}

(window as unknown as { offpayBench: typeof run }).offpayBench = run;
(window as unknown as { offpayParts: typeof parts }).offpayParts = parts;
(window as unknown as { offpayBenchReady: boolean }).offpayBenchReady = true;

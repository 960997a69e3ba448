/**
 * The README walk-through against a running bank (`pnpm start`): Alice enrolls a wallet, the demo
 * operator approves Bob's Market (if no one has yet), Bob enrolls a till, Alice pays Bob offline,
 * Bob settles — then the balances. Run: `pnpm walkthrough`
 * (BANK_URL defaults to http://127.0.0.1:8787). Uses only the public HTTP API and
 * packages/protocol, exactly as the apps do.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fromBase64Url,
  fromHex,
  generateSecretKey,
  getPublicKey,
  kid,
  randomBytes,
  toBase64Url,
} from '@offpay/crypto';
import { approveBob, demoOperatorToken } from './lib/demo-operator.js';
import {
  appendToLedger,
  bankKeySet,
  createPayment,
  decodePayeeCertificate,
  decodePayerCertificate,
  emptyLedgerHead,
  encodeFile,
  encodePayment,
  encodeSettlementBatch,
  initialChainState,
  merchantCode,
  Money,
  sealPayment,
  sealSettlementBatch,
  signEnrollment,
  signPaymentRequest,
  signReceipt,
  signSettlementBatch,
  verifyPaymentOffline,
  verifyPaymentRequest,
} from '@offpay/protocol';

const BANK = process.env['BANK_URL'] ?? 'http://127.0.0.1:8787';
/** Where the batch file goes: the repository root, whatever directory pnpm runs this from. */
const BATCH_FILE = fileURLToPath(new URL('../../../offpay-batch.json', import.meta.url));
const say = (text: string) => console.log(text);

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${BANK}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as T & { code?: string; message?: string };
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${json.code}: ${json.message}`);
  return json;
}

async function login(email: string, password: string): Promise<string> {
  return (await call<{ accessToken: string }>('POST', '/v1/auth/login', { email, password }))
    .accessToken;
}

async function enroll(
  token: string,
  kind: 'payer' | 'payee',
  secretKey: Uint8Array,
  kemKey: Uint8Array,
  extra: object,
) {
  const { challengeId, challenge } = await call<{ challengeId: string; challenge: string }>(
    'POST',
    '/v1/enrollment/challenge',
    undefined,
    token,
  );
  const signKey = getPublicKey(secretKey);
  const signature = signEnrollment(
    { kind, challenge: fromBase64Url(challenge), signKey, kemKey },
    secretKey,
  );
  const body = {
    challengeId,
    signKey: toBase64Url(signKey),
    signature: toBase64Url(signature),
    ...(kind === 'payee' ? { kemKey: toBase64Url(kemKey) } : {}),
    ...extra,
  };
  return fromBase64Url(
    (await call<{ certificate: string }>('POST', `/v1/enrollment/${kind}`, body, token))
      .certificate,
  );
}

/** What each kind of account holds, in words. */
const ACCOUNT_WORDS: Record<string, string> = {
  customer: 'to spend',
  reserve:
    "still reserved for the wallet's offline payments (what it does not spend returns once its certificate has expired and a grace period has passed)",
};

async function balance(token: string): Promise<string> {
  const me = await call<{ accounts: { kind: string; balanceMinor: string; currency: string }[] }>(
    'GET',
    '/v1/accounts/me',
    undefined,
    token,
  );
  return me.accounts
    .map((a) => {
      const amount = Money.of(a.balanceMinor.replace('-', ''), a.currency).toString();
      return `${amount} ${ACCOUNT_WORDS[a.kind] ?? `in the ${a.kind} account`}`;
    })
    .join('; ');
}

const keys = await call<{
  signKeys: { publicKey: string }[];
  kemKeys: { publicKey: string; retiredAt: string | null }[];
}>('GET', '/v1/keys');
const bankKeys = bankKeySet(keys.signKeys.map((k) => fromHex(k.publicKey)));
const bankKem = fromHex(keys.kemKeys.find((k) => k.retiredAt === null)!.publicKey);
say(`1. Pinned the bank's keys from ${BANK}/v1/keys`);

const alice = await login('alice@example.com', 'alice-demo-password');
const aliceKey = generateSecretKey();
const payerCert = decodePayerCertificate(
  await enroll(alice, 'payer', aliceKey, new Uint8Array(0), { limitMinor: '1000' }),
);
say(
  `2. Alice enrolled her wallet: certificate #${payerCert.serial}, ${Money.of(payerCert.limit, 'EUR').toString()} reserved from her account`,
);

const bob = await login('bob@example.com', 'bob-demo-password');
const merchant = await call<{ verified: unknown }>(
  'GET',
  '/v1/merchant/application',
  undefined,
  bob,
);
if (merchant.verified === null && (await approveBob(call, await demoOperatorToken(call)))) {
  say(
    "3. The demo operator signed in (password and one-time code) and approved Bob's Market's merchant application",
  );
} else {
  say("3. Bob's Market is a verified merchant already (an operator approved its application)");
}
const bobKey = generateSecretKey();
const bobKem = generateSecretKey();
const payeeCert = decodePayeeCertificate(
  await enroll(bob, 'payee', bobKey, getPublicKey(bobKem), {}),
);
say(
  `4. Bob enrolled his till as "${payeeCert.displayName}" (certificate #${payeeCert.serial}, merchant code ${merchantCode(payeeCert)})`,
);

const now = Math.floor(Date.now() / 1000);
const request = signPaymentRequest(
  { amount: 250, requestId: randomBytes(16), expiresAt: now + 600, memo: 'Coffee' },
  payeeCert,
  bobKey,
);
verifyPaymentRequest(request, bankKeys, now);
const made = createPayment(payerCert, initialChainState(payerCert), aliceKey, {
  amount: 250,
  payeeKid: request.payeeKid,
  payeeCurrency: 'EUR',
  requestId: request.requestId,
  now,
});
const sealed = sealPayment(encodePayment(made.payment), payeeCert.kemKey, request.payeeKid);
say(
  `5. Offline: Bob asks for 2.50 EUR; Alice pays with a ${sealed.length}-byte sealed payment (one QR code)`,
);

const accepted = verifyPaymentOffline(sealed, {
  payee: { kid: kid(getPublicKey(bobKey)), kemSecretKey: bobKem, currency: 'EUR' },
  bankKeys,
  now,
  isRevoked: () => false,
  request,
  findAccepted: () => undefined,
  paymentsBySerial: () => [],
});
const { entry } = appendToLedger(
  emptyLedgerHead(payeeCert.serial),
  accepted.payment,
  accepted.bytes,
);
signReceipt(
  {
    payeeKid: request.payeeKid,
    paymentId: entry.paymentId,
    index: 0,
    entryHash: entry.entryHash,
    acceptedAt: now,
  },
  bobKey,
);
say('6. Bob verified it offline, added it to his ledger and showed Alice a receipt');

const batch = signSettlementBatch(
  {
    payeeKid: request.payeeKid,
    from: emptyLedgerHead(payeeCert.serial),
    payments: [accepted.payment],
  },
  bobKey,
);
const sealedBatch = sealSettlementBatch(encodeSettlementBatch(batch), bankKem);
writeFileSync(BATCH_FILE, encodeFile('settlement-batch', sealedBatch, { entries: 1 }));
say(
  `7. Back online, Bob sealed a settlement batch to the bank and saved it as ${BATCH_FILE}; anyone can carry it (no login):`,
);
say(
  `   curl -s -X POST ${BANK}/v1/settlements -H 'content-type: application/json' --data-binary @${BATCH_FILE}`,
);
const result = await call<{ results: { status: string }[] }>(
  'POST',
  '/v1/settlements',
  JSON.parse(encodeFile('settlement-batch', sealedBatch)) as object,
);
say(`8. The bank settled it: ${result.results.map((r) => r.status).join(', ')}`);
say(`   Alice: ${await balance(alice)}`);
say(`   Bob:   ${await balance(bob)}`);
say(
  '   (The 2.50 EUR Bob received came out of the 10.00 EUR reserved when Alice enrolled; the curl line above would get the stored result, and move nothing.)',
);

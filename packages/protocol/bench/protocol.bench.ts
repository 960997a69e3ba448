/**
 * Protocol benchmarks (`pnpm bench`): make + seal a payment, open + verify one offline, verify a
 * 100,000-entry ledger, and the sealed size of a payment with the QR version it needs.
 */
import { generateSecretKey, getPublicKey, kid, randomBytes } from '@offpay/crypto';
import {
  appendToLedger,
  bankKeySet,
  createPayment,
  emptyLedgerHead,
  encodePayment,
  encodeQrText,
  initialChainState,
  issuePayeeCertificate,
  issuePayerCertificate,
  qrVersionFor,
  sealPayment,
  verifyLedger,
  verifyPaymentOffline,
  type LedgerEntry,
} from '../src/index.js';
import { machineLine, measure, measureTotal, table } from '../../../tools/bench-harness.js';

const now = Math.floor(Date.now() / 1000);
const bank = generateSecretKey();
const payerKey = generateSecretKey();
const payeeKey = generateSecretKey();
const payeeKem = generateSecretKey();
const payeeKid = kid(getPublicKey(payeeKey));
const payerCert = issuePayerCertificate(
  {
    serial: 2 ** 40 + 1,
    signKey: getPublicKey(payerKey),
    currency: 'EUR',
    expiresAt: now + 7 * 86400,
    limit: 100_000_00,
  },
  bank,
);
const payeeCert = issuePayeeCertificate(
  {
    serial: 2 ** 40 + 2,
    signKey: getPublicKey(payeeKey),
    kemKey: getPublicKey(payeeKem),
    currency: 'EUR',
    expiresAt: now + 365 * 86400,
    displayName: "Bob's Market",
  },
  bank,
);
const order = { amount: 1250, payeeKid, payeeCurrency: 'EUR', requestId: randomBytes(16), now };
const state = {
  ...initialChainState(payerCert),
  counter: 41,
  spent: 30_000_00,
  lastPaymentId: randomBytes(32),
};

const makeAndSeal = () => {
  const { payment } = createPayment(payerCert, state, payerKey, order);
  return sealPayment(encodePayment(payment), payeeCert.kemKey, payeeKid);
};
const sealed = makeAndSeal();
const context = {
  payee: { kid: payeeKid, kemSecretKey: payeeKem, currency: 'EUR' },
  bankKeys: bankKeySet([getPublicKey(bank)]),
  now,
  isRevoked: () => false,
  findAccepted: () => undefined,
  paymentsBySerial: () => [],
};

const rows = [
  measure('create + seal a payment', makeAndSeal),
  measure('open + verify a payment offline', () => verifyPaymentOffline(sealed, context)),
];

// A 100,000-entry ledger. Its verification cost does not depend on whether payments repeat, so
// 100 distinct signed payments are cycled rather than signing 100,000 (which takes minutes).
const pool: { payment: ReturnType<typeof createPayment>['payment']; bytes: Uint8Array }[] = [];
let chain = initialChainState(payerCert);
for (let i = 0; i < 100; i++) {
  const made = createPayment(payerCert, chain, payerKey, { ...order, amount: 1 });
  chain = made.state;
  pool.push({ payment: made.payment, bytes: encodePayment(made.payment) });
}
const entries: LedgerEntry[] = [];
let head = emptyLedgerHead(payeeCert.serial);
for (let i = 0; i < 100_000; i++) {
  const { payment, bytes } = pool[i % pool.length]!;
  const next = appendToLedger(head, payment, bytes);
  entries.push(next.entry);
  head = next.head;
}
const ledgerMs = measureTotal(3, () => verifyLedger(entries, emptyLedgerHead(payeeCert.serial)));

const qr = encodeQrText(sealed);
console.log(`## packages/protocol\n\nMachine: ${machineLine()}\n`);
console.log(table(rows));
console.log(
  `\n| verify a 100,000-entry ledger | ${ledgerMs.toFixed(0)} ms total | ${((ledgerMs * 1000) / 100_000).toFixed(2)} µs/entry |`,
);
console.log(
  `\nSealed payment with its payer certificate: ${sealed.length} bytes → ${qr.length} QR characters → QR version ${qrVersionFor(qr)} at level M (limit: 397 bytes, version 15).`,
);

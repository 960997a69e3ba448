/**
 * Payer and payee devices enrolled through the API, and what they do offline with
 * packages/protocol — exactly what the apps do: pay, append to the ledger, or (attack tests) sign
 * any payment at all.
 */
import { fromBase64Url, kid, randomBytes } from '@offpay/crypto';
import {
  appendToLedger,
  createPayment,
  decodePayeeCertificate,
  decodePayerCertificate,
  emptyLedgerHead,
  encodePayment,
  initialChainState,
  payerGenesis,
  signPayment,
  type LedgerEntry,
  type LedgerHead,
  type PayeeCertificate,
  type PayerCertificate,
  type PayerChainState,
  type Payment,
  type PaymentFields,
} from '@offpay/protocol';
import type { TestBank } from './bank.js';
import { deviceKey, enrollPayee, enrollPayer } from './enrollment.js';
import { verifyMerchant } from './merchants.js';
import { fund, registerUser, type User } from './users.js';

/** A payer device enrolled under one certificate. */
export interface PayerDevice {
  user: User;
  secretKey: Uint8Array;
  cert: PayerCertificate;
  chain: PayerChainState;
}

/** A receiver device with its own ledger. */
export interface PayeeDevice {
  user: User;
  secretKey: Uint8Array;
  kemSecretKey: Uint8Array;
  cert: PayeeCertificate;
  kid: Uint8Array;
  ledger: LedgerEntry[];
  head: LedgerHead;
  /** Where the next batch starts: the bank's settled head as the device knows it. */
  settled: LedgerHead;
}

function certificateOf(res: { statusCode: number; body: string }, what: string): Uint8Array {
  if (res.statusCode !== 201) throw new Error(`enroll ${what}: ${res.statusCode} ${res.body}`);
  return fromBase64Url((JSON.parse(res.body) as { certificate: string }).certificate);
}

/** A new user, funded with `funds`, with a payer device that reserved `limit`. */
export async function payerDevice(
  bank: TestBank,
  limit: bigint,
  funds = limit,
  currency = 'EUR',
): Promise<PayerDevice> {
  const user = await registerUser(
    bank,
    currency === 'EUR' ? 'Alice Payer' : 'Foreign Payer',
    currency,
  );
  await fund(bank, user, funds, currency);
  return payerDeviceOf(bank, user, limit);
}

/** Another payer device (a certificate of its own) for an existing, funded `user`. */
export async function payerDeviceOf(
  bank: TestBank,
  user: User,
  limit: bigint,
): Promise<PayerDevice> {
  const key = deviceKey();
  const res = await enrollPayer(bank, user, limit.toString(), { key });
  const cert = decodePayerCertificate(certificateOf(res, 'payer'));
  return { user, secretKey: key.secretKey, cert, chain: initialChainState(cert) };
}

/**
 * A new verified merchant (named `displayName`, numbered if the name was used already on this
 * bank) with an enrolled receiver device and an empty ledger.
 */
export async function payeeDevice(
  bank: TestBank,
  displayName = "Bob's Market",
): Promise<PayeeDevice> {
  const user = await registerUser(bank, displayName);
  return payeeDeviceOf(bank, user, displayName);
}

/**
 * A receiver device for an existing `user` (a payer too, in the self-dealing and cross-trading
 * tests), whose merchant identity the bank verifies first under `displayName`.
 */
export async function payeeDeviceOf(
  bank: TestBank,
  user: User,
  displayName: string,
): Promise<PayeeDevice> {
  await verifyMerchant(bank, user, displayName);
  return anotherTill(bank, user);
}

/** One more receiver device (a till of its own) of a merchant the bank verified already. */
export async function anotherTill(bank: TestBank, user: User): Promise<PayeeDevice> {
  const key = deviceKey();
  const kem = deviceKey();
  const cert = decodePayeeCertificate(
    certificateOf(await enrollPayee(bank, user, key, kem), 'payee'),
  );
  const head = emptyLedgerHead(cert.serial);
  return {
    user,
    secretKey: key.secretKey,
    kemSecretKey: kem.secretKey,
    cert,
    kid: kid(key.publicKey),
    ledger: [],
    head,
    settled: head,
  };
}

/** Appends any payment (honest or crafted) to the payee's ledger. */
export function append(payee: PayeeDevice, payment: Payment): void {
  const { entry, head } = appendToLedger(payee.head, payment, encodePayment(payment));
  payee.ledger.push(entry);
  payee.head = head;
}

/** The payer pays the payee at bank time; the payee appends the payment to its ledger. */
export function pay(
  bank: TestBank,
  payer: PayerDevice,
  payee: PayeeDevice,
  amount: number,
): Payment {
  const made = createPayment(payer.cert, payer.chain, payer.secretKey, {
    amount,
    payeeKid: payee.kid,
    payeeCurrency: payee.cert.currency,
    requestId: randomBytes(16),
    now: bank.now,
  });
  payer.chain = made.state;
  append(payee, made.payment);
  return made.payment;
}

/**
 * Signs a payment with any fields, honest or not (attack tests). The defaults make a first
 * payment (counter 1 from the payer genesis, spent = amount); `secretKey` forges another signer.
 */
export function craftPayment(
  payer: PayerDevice,
  fields: Partial<PaymentFields> & Pick<PaymentFields, 'amount' | 'payeeKid' | 'createdAt'>,
  secretKey: Uint8Array = payer.secretKey,
): Payment {
  const serial = fields.serial ?? payer.cert.serial;
  return signPayment(
    {
      serial,
      counter: 1,
      prev: payerGenesis(serial),
      spent: fields.amount,
      requestId: randomBytes(16),
      ...fields,
    },
    payer.cert,
    secretKey,
  );
}

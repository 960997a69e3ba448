/**
 * Fixtures for the protocol tests: a bank, payers and payees with certificates, valid sealed
 * payments, and a receiver whose context is backed by an in-memory ledger. Keys are made once per
 * test file (key generation and signing cost milliseconds in pure JS).
 */
import { generateSecretKey, getPublicKey, kid, randomBytes, toHex } from '@offpay/crypto';
import {
  appendToLedger,
  decodeCbor,
  encodeCbor,
  bankKeySet,
  emptyLedgerHead,
  encodePayment,
  issuePayeeCertificate,
  issuePayerCertificate,
  payerGenesis,
  sealPayment,
  signPayment,
  verifyPaymentOffline,
  type AcceptedPayment,
  type CborValue,
  type BankKeys,
  type LedgerEntry,
  type LedgerHead,
  type OpenRequest,
  type PayeeCertificate,
  type PayerCertificate,
  type Payment,
  type PaymentFields,
  type ReceiverContext,
} from '../src/index.js';

export { codeOf, expectCode } from './expect-code.js';

/** The device and bank clock of most tests (Unix seconds, January 2027). */
export const NOW = 1_800_000_000;
export const DAY = 24 * 3600;

/** A bank: signing and KEM key pairs, and the key set apps pin. */
export interface Bank {
  signSk: Uint8Array;
  signPk: Uint8Array;
  kemSk: Uint8Array;
  kemPk: Uint8Array;
  keys: BankKeys;
}

export function makeBank(): Bank {
  const signSk = generateSecretKey();
  const kemSk = generateSecretKey();
  const signPk = getPublicKey(signSk);
  return { signSk, signPk, kemSk, kemPk: getPublicKey(kemSk), keys: bankKeySet([signPk]) };
}

/** A payer: its signing key and certificate. */
export interface Payer {
  sk: Uint8Array;
  cert: PayerCertificate;
}

let nextSerial = 1000;

export function makePayer(
  bank: Bank,
  opts: Partial<{
    serial: number;
    limit: number;
    currency: string;
    expiresAt: number;
    sk: Uint8Array;
  }> = {},
): Payer {
  const sk = opts.sk ?? generateSecretKey();
  const cert = issuePayerCertificate(
    {
      serial: opts.serial ?? nextSerial++,
      signKey: getPublicKey(sk),
      currency: opts.currency ?? 'EUR',
      expiresAt: opts.expiresAt ?? NOW + 7 * DAY,
      limit: opts.limit ?? 100_000,
    },
    bank.signSk,
  );
  return { sk, cert };
}

/** A payee: signing and KEM keys, certificate and kid. */
export interface Payee {
  signSk: Uint8Array;
  kemSk: Uint8Array;
  cert: PayeeCertificate;
  kid: Uint8Array;
}

export function makePayee(
  bank: Bank,
  opts: Partial<{ serial: number; currency: string; displayName: string; expiresAt: number }> = {},
): Payee {
  const signSk = generateSecretKey();
  const kemSk = generateSecretKey();
  const cert = issuePayeeCertificate(
    {
      serial: opts.serial ?? nextSerial++,
      signKey: getPublicKey(signSk),
      kemKey: getPublicKey(kemSk),
      currency: opts.currency ?? 'EUR',
      expiresAt: opts.expiresAt ?? NOW + 365 * DAY,
      displayName: opts.displayName ?? 'Café Müller',
    },
    bank.signSk,
  );
  return { signSk, kemSk, cert, kid: kid(cert.signKey) };
}

/** A fixed request id, so fields built separately agree. */
export const REQUEST_ID = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

/** Fields of a valid first payment of 500 from `payer` to `payee`, with `over` applied. */
export function paymentFields(
  payer: Payer,
  payee: Payee,
  over: Partial<PaymentFields> = {},
): PaymentFields {
  const amount = over.amount ?? 500;
  return {
    serial: payer.cert.serial,
    counter: 1,
    prev: payerGenesis(payer.cert.serial),
    spent: amount,
    amount,
    payeeKid: payee.kid,
    requestId: REQUEST_ID,
    createdAt: NOW,
    ...over,
  };
}

/** Signs a payment with the given fields: shape is checked, rules are not. */
export function pay(payer: Payer, payee: Payee, over: Partial<PaymentFields> = {}): Payment {
  return signPayment(paymentFields(payer, payee, over), payer.cert, payer.sk);
}

/** The payment after `p` in the same chain (counter + 1, prev = id, spent accumulated). */
export function next(
  payer: Payer,
  payee: Payee,
  p: Payment,
  amount = 300,
  over: Partial<PaymentFields> = {},
): Payment {
  return pay(payer, payee, {
    counter: p.counter + 1,
    prev: p.paymentId,
    amount,
    spent: p.spent + amount,
    ...over,
  });
}

/** A payment sealed to the payee, as it travels in a QR code. */
export function sealTo(payee: Payee, p: Payment | Uint8Array): Uint8Array {
  const bytes = p instanceof Uint8Array ? p : encodePayment(p);
  return sealPayment(bytes, payee.cert.kemKey, payee.kid);
}

/** A receiver whose offline context is backed by an in-memory, hash-chained ledger. */
export class MemoryReceiver {
  readonly entries: LedgerEntry[] = [];
  head: LedgerHead;
  readonly revoked = new Set<number>();
  private readonly byId = new Map<string, number>();
  private readonly bySerial = new Map<number, Payment[]>();

  constructor(
    readonly bank: Bank,
    readonly payee: Payee,
    public now = NOW,
    public request?: OpenRequest,
  ) {
    this.head = emptyLedgerHead(payee.cert.serial);
  }

  context(): ReceiverContext {
    return {
      payee: {
        kid: this.payee.kid,
        kemSecretKey: this.payee.kemSk,
        currency: this.payee.cert.currency,
      },
      bankKeys: this.bank.keys,
      now: this.now,
      isRevoked: (serial) => this.revoked.has(serial),
      request: this.request,
      findAccepted: (idHex) => this.byId.get(idHex),
      paymentsBySerial: (serial) => this.bySerial.get(serial) ?? [],
    };
  }

  /** Checks a sealed payment; throws the refusal code. Does not append. */
  verify(sealed: Uint8Array): AcceptedPayment {
    return verifyPaymentOffline(sealed, this.context());
  }

  /** Checks and appends to the ledger, as a receiving app does. */
  accept(sealed: Uint8Array): AcceptedPayment {
    const accepted = this.verify(sealed);
    const { entry, head } = appendToLedger(this.head, accepted.payment, accepted.bytes);
    this.entries.push(entry);
    this.head = head;
    this.byId.set(toHex(accepted.payment.paymentId), entry.index);
    const list = this.bySerial.get(accepted.payment.serial) ?? [];
    list.push(accepted.payment);
    this.bySerial.set(accepted.payment.serial, list);
    return accepted;
  }
}

/** A copy of `bytes` with byte `index` XORed with `mask` (1..255). */
export function flipByte(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const out = new Uint8Array(bytes);
  out[index] = out[index]! ^ mask;
  return out;
}

/** `n` random bytes (re-exported so tests need one import for fixtures). */
export const random = randomBytes;

/** Index of `needle` inside `haystack`, or −1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The envelope with its tbs items rewritten by `change` (the signature is left as it was). */
export function rewriteTbs(
  envelope: Uint8Array,
  change: (items: CborValue[]) => CborValue[],
): Uint8Array {
  const outer = decodeCbor(envelope) as CborValue[];
  outer[0] = encodeCbor(change(decodeCbor(outer[0] as Uint8Array) as CborValue[]));
  return encodeCbor(outer);
}
/** The envelope (outer array) rewritten by `change`. */
export const rewriteEnvelope = (
  envelope: Uint8Array,
  change: (items: CborValue[]) => CborValue[],
) => encodeCbor(change(decodeCbor(envelope) as CborValue[]));

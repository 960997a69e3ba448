/**
 * A small offpay world for HTTP tests: the bank (bank.ts), users who register and log in
 * (users.ts), payer and payee devices that enroll through the API and pay with packages/protocol
 * (enrollment.ts, devices.ts), and the settlement batches receivers send (batches.ts) — exactly
 * what the apps do. {@link useWorld} gives a test file one world, built before its tests and
 * closed after them.
 */
import type { BankKeys, Payment } from '@offpay/protocol';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { TestBank, type TestBankOptions } from './bank.js';
import {
  bankKemKey,
  postBatch,
  recordSettledPayment,
  sealedBatch,
  settleEntries,
  type EntryResultView,
} from './batches.js';
import { challenge, enrollPayee, enrollPayer, payerRequest, type DeviceKey } from './enrollment.js';
import {
  anotherTill,
  append,
  pay,
  payeeDevice,
  payeeDeviceOf,
  payerDevice,
  payerDeviceOf,
  type PayeeDevice,
  type PayerDevice,
} from './devices.js';
import { assertLedgerInvariants, reserveViolations } from './ledger.js';
import { verifyMerchant } from './merchants.js';
import { signedInOperator, type TestOperator } from './operators.js';
import {
  pinnedKeys,
  revocationList,
  revokedSerials,
  type RevocationListBody,
} from './revocations.js';
import { balance, balances, fund, registerUser, reserveAccount, type User } from './users.js';

export { auth } from './bank.js';
export { craftPayment, type PayeeDevice, type PayerDevice } from './devices.js';
export { deviceKey, type DeviceKey } from './enrollment.js';
export { rawBatch, type EntryResultView } from './batches.js';
export { reserveViolations } from './ledger.js';
export { signInAgain, type User } from './users.js';
export type { TestOperator } from './operators.js';

/** The bank, and what users and devices do with it, as methods. */
export class World extends TestBank {
  /** A started world; the caller closes it. */
  static async create(options: TestBankOptions = {}): Promise<World> {
    return new World(options).start();
  }

  /** A started world on the embedded default (PGlite, in memory). */
  static async createEmbedded(options: TestBankOptions = {}): Promise<World> {
    return new World({ ...options, embedded: true }).start();
  }

  close(): Promise<void> {
    return this.stop();
  }

  user(displayName?: string, currency?: string): Promise<User> {
    return registerUser(this, displayName, currency);
  }

  /** A new user whose merchant identity the bank verified (a numbered name if already used). */
  async merchant(displayName = 'Test Shop', currency?: string): Promise<User> {
    const user = await registerUser(this, displayName, currency);
    await verifyMerchant(this, user, displayName);
    return user;
  }

  /** A created and signed-in operator (or auditor). */
  operator(role?: 'operator' | 'auditor'): Promise<TestOperator> {
    return signedInOperator(this, role);
  }

  fund(user: User, minor: bigint, currency?: string): Promise<void> {
    return fund(this, user, minor, currency);
  }

  balance(accountId: string): Promise<bigint> {
    return balance(this, accountId);
  }

  /** Balances of a user's customer and reserve accounts. */
  balances(user: User, currency?: string): Promise<{ customer: bigint; reserve: bigint }> {
    return balances(this, user, currency);
  }

  reserveAccount(user: User): Promise<string> {
    return reserveAccount(this, user);
  }

  /** A fresh enrollment challenge for `user`. */
  challenge(user: User): Promise<{ challengeId: string; challenge: Uint8Array }> {
    return challenge(this, user);
  }

  /** A body for POST /v1/enrollment/payer with a correct proof over a fresh challenge. */
  payerRequest(...args: Tail<Parameters<typeof payerRequest>>): Promise<Record<string, unknown>> {
    return payerRequest(this, ...args);
  }

  /** POST /v1/enrollment/payer with a correct proof: the raw answer. */
  enrollPayer(...args: Tail<Parameters<typeof enrollPayer>>): Promise<LightMyRequestResponse> {
    return enrollPayer(this, ...args);
  }

  /** POST /v1/enrollment/payee with a correct proof: the raw answer. */
  enrollPayee(user: User, key?: DeviceKey): Promise<LightMyRequestResponse> {
    return enrollPayee(this, user, key);
  }

  /** A payer device that reserved `limit` from `funds`. */
  payer(limit: bigint, funds = limit, currency = 'EUR'): Promise<PayerDevice> {
    return payerDevice(this, limit, funds, currency);
  }

  payee(displayName?: string): Promise<PayeeDevice> {
    return payeeDevice(this, displayName);
  }

  /** One more payer device (its own certificate, reserving `limit`) of an existing user. */
  payerOf(user: User, limit: bigint): Promise<PayerDevice> {
    return payerDeviceOf(this, user, limit);
  }

  /** A receiver device of an existing user, verified as the merchant `displayName`. */
  payeeOf(user: User, displayName = 'Own Shop'): Promise<PayeeDevice> {
    return payeeDeviceOf(this, user, displayName);
  }

  /** One more till of a merchant the bank verified already (a new device of the same shop). */
  anotherTill(user: User): Promise<PayeeDevice> {
    return anotherTill(this, user);
  }

  pay(payer: PayerDevice, payee: PayeeDevice, amount: number): Payment {
    return pay(this, payer, payee, amount);
  }

  append(payee: PayeeDevice, payment: Payment): void {
    append(payee, payment);
  }

  bankKemKey(): Promise<Uint8Array> {
    return bankKemKey(this);
  }

  /** A sealed batch of the payee's unsettled entries (or of `payments`). */
  batch(payee: PayeeDevice, payments?: Payment[]) {
    return sealedBatch(this, payee, payments);
  }

  /** POSTs a sealed batch as raw CBOR. */
  settle(
    sealed: Uint8Array,
    headers?: Record<string, string>,
    app?: FastifyInstance,
  ): Promise<LightMyRequestResponse> {
    return postBatch(this, sealed, headers, app);
  }

  settleEntries(payee: PayeeDevice, payments: Payment[]): Promise<EntryResultView[]> {
    return settleEntries(this, payee, payments);
  }

  /** Marks the payee's ledger as settled up to its head (after a successful settlement). */
  settledAll(payee: PayeeDevice): void {
    payee.settled = payee.head;
  }

  /** Writes one settled payment straight into the books (batches.ts). */
  recordSettledPayment(p: Parameters<typeof recordSettledPayment>[1]): Promise<string> {
    return recordSettledPayment(this, p);
  }

  pinnedKeys(): Promise<BankKeys> {
    return pinnedKeys(this);
  }

  revocationList(): Promise<RevocationListBody> {
    return revocationList(this);
  }

  revokedSerials(): Promise<number[]> {
    return revokedSerials(this);
  }
}

type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** Options of {@link useWorld}. */
export interface UseWorldOptions extends TestBankOptions {
  /** After each test: the ledger and reserve invariants hold (ledger.ts). */
  invariants?: boolean;
  /** How long starting the world may take (PGlite needs seconds on a loaded machine). */
  startTimeoutMs?: number;
}

/**
 * One world for the calling test file: started before its tests, closed after them, and with
 * `invariants` checked after each test. Its fields are usable inside tests and hooks only.
 */
export function useWorld(options: UseWorldOptions = {}): World {
  const { invariants, startTimeoutMs, ...bank } = options;
  const world = new World(bank);
  let started = false;
  beforeAll(async () => {
    await world.start();
    started = true;
  }, startTimeoutMs);
  afterAll(async () => {
    // A world that failed to start has nothing to close; its error is the one to see.
    if (started) await world.stop();
  });
  if (invariants) {
    afterEach(async () => {
      await assertLedgerInvariants(world.db);
      expect(await reserveViolations(world.db)).toEqual([]);
    });
  }
  return world;
}

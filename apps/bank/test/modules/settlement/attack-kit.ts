/**
 * What the settlement attack suites share: one world per file with the ledger and reserve
 * invariants checked after every test, a fixture of one unsettled honest payment, and the checks
 * "refused with this code" and "nothing moved, the head did not advance".
 */
import { decodeCbor, sealSettlementBatch, type Payment } from '@offpay/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, expect } from 'vitest';
import {
  craftPayment,
  rawBatch,
  useWorld,
  type PayeeDevice,
  type PayerDevice,
  type World,
} from '../../helpers/world.js';

/** The reserve every fixture's payer enrolls with. */
export const LIMIT = 10_000n;

/**
 * The file's world: built before all tests, closed after them; after each test the invariants
 * hold and the clock is back to the real time (tests move it to expiry and beyond).
 */
export function attackWorld(): World {
  const world = useWorld({ invariants: true });
  afterEach(() => {
    world.clock = new Date();
  });
  return world;
}

/** A payer, a payee and one honest payment to it that no test has settled yet. */
export interface Fixture {
  payer: PayerDevice;
  payee: PayeeDevice;
  payment: Payment;
  reserve: string;
}

/** Makes a {@link Fixture}. */
export async function fixture(world: World): Promise<Fixture> {
  const payer = await world.payer(LIMIT);
  const payee = await world.payee();
  const payment = world.pay(payer, payee, 1000);
  return { payer, payee, payment, reserve: await world.reserveAccount(payer.user) };
}

/** The response refuses the request with this status and code, in the bank's error shape. */
export function expectRefused(
  res: LightMyRequestResponse,
  status: number,
  code: string | RegExp,
): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ code: string; message: string; details: unknown }>();
  if (typeof code === 'string') expect(body.code).toBe(code);
  else expect(body.code).toMatch(code);
  expect(typeof body.message).toBe('string');
  expect(body.details).toBeTypeOf('object');
}

/**
 * Nothing moved and the head did not advance: balances are as enrolled, and an honest batch of
 * the fixture's payment from the payee's old head still settles in full.
 */
export async function expectUntouched(world: World, fx: Fixture): Promise<void> {
  expect(await world.balance(fx.payee.user.accountId)).toBe(0n);
  expect(await world.balance(fx.reserve)).toBe(LIMIT);
  expect(await world.balance(fx.payer.user.accountId)).toBe(0n);
  const res = await world.settle((await world.batch(fx.payee, [fx.payment])).sealed);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json<{ results: { status: string }[] }>().results).toMatchObject([
    { status: 'settled' },
  ]);
  expect(await world.balance(fx.payee.user.accountId)).toBe(1000n);
}

/**
 * docs/protocol.md §9.3: an entry whose payment does not decode is rejected alone with its code
 * (200, the result signed), nothing moves, and the settled head passes over it.
 */
export async function expectRejectedAlone(
  world: World,
  fx: Fixture,
  res: LightMyRequestResponse,
  code: string,
): Promise<void> {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json<{ results: unknown[] }>().results).toEqual([
    { index: fx.payee.settled.nextIndex, paymentId: expect.any(String), status: 'rejected', code },
  ]);
  expect(await world.balance(fx.payee.user.accountId)).toBe(0n);
  expect(await world.balance(fx.reserve)).toBe(LIMIT);
  const [head] = await world.db.query<{ next_index: string }>(
    'SELECT next_index FROM payee_heads WHERE payee_serial = $1',
    [fx.payee.cert.serial],
  );
  expect(Number(head?.next_index)).toBe(fx.payee.settled.nextIndex + 1);
}

/** Seals batch bytes to the bank's current KEM key. */
export async function seal(world: World, batchBytes: Uint8Array): Promise<Uint8Array> {
  return sealSettlementBatch(batchBytes, await world.bankKemKey());
}

/** The fixture's payee signs `entries` (CBOR values) from its settled head, by hand. */
export function handBatch(fx: Fixture, entries: Parameters<typeof rawBatch>[0]['entries']) {
  return rawBatch({
    payeeKid: fx.payee.kid,
    from: fx.payee.settled,
    entries,
    signer: fx.payee.secretKey,
  });
}

/** A sealed wire form `[v, kemKid, sealed]` taken apart, to be reassembled altered. */
export async function wireParts(
  world: World,
  fx: Fixture,
): Promise<[number, Uint8Array, Uint8Array]> {
  const { sealed } = await world.batch(fx.payee, [fx.payment]);
  return decodeCbor(sealed) as [number, Uint8Array, Uint8Array];
}

/** Balances of the payer's reserve and customer account, then of each payee. */
export async function balances(
  world: World,
  payer: PayerDevice,
  ...payees: PayeeDevice[]
): Promise<bigint[]> {
  const ids = [
    await world.reserveAccount(payer.user),
    payer.user.accountId,
    ...payees.map((p) => p.user.accountId),
  ];
  return Promise.all(ids.map((id) => world.balance(id)));
}

/** A payment the payer signs for `payee` with any fields (defaults: counter 1 from genesis). */
export function craft(
  world: World,
  payer: PayerDevice,
  payee: PayeeDevice,
  fields: Partial<Payment> & { amount: number },
  key?: Uint8Array,
): Payment {
  return craftPayment(payer, { payeeKid: payee.kid, createdAt: world.now, ...fields }, key);
}

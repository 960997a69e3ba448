/**
 * Issue #12 item 3, "a stolen till key cannot be revoked" (docs/protocol.md §9.7 "Ledger
 * handover", docs/threat-model.md §4.1): a till reported lost or stolen is revoked as
 * compromised and its key settles nothing any more; the merchant's new till takes over the old
 * ledger from the head the merchant's backup was settled to, so nothing the old till accepted is
 * lost — even after a thief pushed the bank's head forward with a fork. Regression tests: on the
 * code before the fix a till could only be closed, and a closed till still settled.
 */
import { fromHex, toBase64Url, toHex } from '@offpay/crypto';
import {
  decodePayment,
  emptyLedgerHead,
  encodeLedgerHandover,
  encodeSettlementBatch,
  sealSettlementBatch,
  signLedgerHandover,
  signSettlementBatch,
  type LedgerHead,
  type Payment,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { attackWorld, expectRefused } from './attack-kit.js';
import { auth, signInAgain, type PayeeDevice } from '../../helpers/world.js';

const world = attackWorld();

/** A copy of a till as a thief holds it: same keys, same ledger so far. */
function stolenCopy(till: PayeeDevice): PayeeDevice {
  return { ...till, ledger: [...till.ledger] };
}

/** The payments of a till's ledger from `from` on. */
function unsettled(till: PayeeDevice, from: LedgerHead = till.settled): Payment[] {
  return till.ledger.slice(from.nextIndex).map((e) => decodePayment(e.payment));
}

/** POSTs a batch of `payments` of `ledgerOf`'s ledger from `from`, signed with `secretKey`. */
async function settleSignedBy(
  ledgerOf: PayeeDevice,
  from: LedgerHead,
  payments: Payment[],
  secretKey: Uint8Array,
) {
  const batch = signSettlementBatch({ payeeKid: ledgerOf.kid, from, payments }, secretKey);
  return world.settle(sealSettlementBatch(encodeSettlementBatch(batch), await world.bankKemKey()));
}

/** The merchant reports `till`, then signs in again: a report ends every session (§4.1). */
async function report(till: PayeeDevice, reason: 'lost' | 'stolen' = 'stolen') {
  const res = await world.app.inject({
    method: 'POST',
    url: `/v1/certificates/${till.cert.serial}/report`,
    headers: auth(till.user),
    payload: { reason },
  });
  if (res.json<{ signedOut?: boolean }>().signedOut) await signInAgain(world, till.user);
  return res;
}

/** The new till vouches that the old ledger continues under its key from `from`. */
function handover(
  oldTill: PayeeDevice,
  successor: PayeeDevice,
  from: LedgerHead = oldTill.settled,
) {
  const signed = signLedgerHandover(
    { fromPayeeKid: oldTill.kid, toPayeeKid: successor.kid, from },
    successor.secretKey,
  );
  return world.post('/v1/payee/handovers', {
    handover: toBase64Url(encodeLedgerHandover(signed)),
  });
}

/** A shop whose till settled one payment and holds two more, unsettled. */
async function shopWithUnsettled() {
  const till = await world.payee('Corner Shop');
  const alice = await world.payer(10_000n);
  const bob = await world.payer(10_000n);
  expect(await world.settleEntries(till, [world.pay(alice, till, 500)])).toMatchObject([
    { status: 'settled' },
  ]);
  world.pay(alice, till, 700);
  world.pay(bob, till, 900);
  return { till, alice, bob };
}

describe('a till reported stolen is refused', () => {
  it('the thief’s batches (a fork of the stolen ledger) are refused once the merchant reports the till; nothing moves', async () => {
    const { till } = await shopWithUnsettled();
    const thief = stolenCopy(till);
    const mallory = await world.payer(10_000n);
    world.pay(mallory, thief, 100);
    const res = await report(till);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      serial: String(till.cert.serial),
      kind: 'payee',
      status: 'revoked',
      reason: 'compromised',
    });
    expectRefused(await world.settle((await world.batch(thief)).sealed), 403, 'BANK_PAYEE_REVOKED');
    // The real till's own key proves nothing any more either: the handover is the way on.
    expectRefused(await world.settle((await world.batch(till)).sealed), 403, 'BANK_PAYEE_REVOKED');
    expect(await world.balance(till.user.accountId)).toBe(500n);
  });

  it('a till only closed still settles what it accepted (a retired till)', async () => {
    const { till } = await shopWithUnsettled();
    const closed = await world.app.inject({
      method: 'POST',
      url: `/v1/certificates/${till.cert.serial}/close`,
      headers: auth(till.user),
    });
    expect(closed.json()).toMatchObject({ kind: 'payee', status: 'closed' });
    expect(await world.settleEntries(till, unsettled(till))).toMatchObject([
      { status: 'settled' },
      { status: 'settled' },
    ]);
    expect(await world.balance(till.user.accountId)).toBe(2100n);
  });
});

describe('the ledger handover: the merchant loses nothing the old till accepted', () => {
  it('after the thief pushed the head forward with a fork, the new till settles the old ledger from the backup’s settled head', async () => {
    const { till } = await shopWithUnsettled();
    const backup = stolenCopy(till);
    // The thief settles a fork first: the bank's head for the old till moves past the backup's.
    const thief = stolenCopy(till);
    const mallory = await world.payer(10_000n);
    const forkFrom = thief.settled;
    thief.ledger = thief.ledger.slice(0, forkFrom.nextIndex);
    thief.head = forkFrom;
    world.pay(mallory, thief, 100);
    expect(await world.settleEntries(thief, unsettled(thief, forkFrom))).toMatchObject([
      { status: 'settled' },
    ]);
    // Before the fix: the real till's next batch is refused for good.
    expectRefused(
      await world.settle((await world.batch(till)).sealed),
      409,
      'BANK_BATCH_NOT_CONTINUOUS',
    );
    expect((await report(till)).statusCode).toBe(200);
    const successor = await world.anotherTill(till.user);
    const vouched = await handover(backup, successor);
    expect(vouched.statusCode, vouched.body).toBe(200);
    expect(vouched.json()).toMatchObject({
      fromSerial: String(till.cert.serial),
      toSerial: String(successor.cert.serial),
      nextIndex: backup.settled.nextIndex,
      head: toHex(backup.settled.head),
    });
    const res = await settleSignedBy(
      backup,
      backup.settled,
      unsettled(backup),
      successor.secretKey,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<{ results: { status: string }[] }>().results).toMatchObject([
      { status: 'settled' },
      { status: 'settled' },
    ]);
    // Everything the real till accepted, and the thief's fork (paid by the thief's own payer).
    expect(await world.balance(till.user.accountId)).toBe(500n + 700n + 900n + 100n);
    // The old key still settles nothing, even continuing the handed-over ledger.
    const head = fromHex(res.json<{ head: string }>().head);
    const more = world.pay(mallory, thief, 50);
    expectRefused(
      await settleSignedBy(till, { nextIndex: 3, head }, [more], till.secretKey),
      403,
      'BANK_PAYEE_REVOKED',
    );
  });

  it('entries the bank already settled come back as duplicates; the next batches continue from the new head', async () => {
    const { till, alice } = await shopWithUnsettled();
    expect((await report(till, 'lost')).statusCode).toBe(200);
    const successor = await world.anotherTill(till.user);
    // The backup is older than the last settlement: it restarts from the genesis head.
    const genesis = emptyLedgerHead(till.cert.serial);
    expect((await handover(till, successor, genesis)).statusCode).toBe(200);
    const all = unsettled(till, genesis);
    const res = await settleSignedBy(till, genesis, all, successor.secretKey);
    expect(res.json<{ results: { status: string }[] }>().results).toMatchObject([
      { status: 'duplicate' },
      { status: 'settled' },
      { status: 'settled' },
    ]);
    // A payment the restored device accepts later under the old ledger still settles.
    const late = world.pay(alice, till, 300);
    const from = { nextIndex: 3, head: till.ledger[2]!.entryHash };
    expect(res.json<{ head: string }>().head).toBe(toHex(from.head));
    const next = await settleSignedBy(till, from, [late], successor.secretKey);
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json<{ head: string }>().head).toBe(toHex(till.ledger[3]!.entryHash));
    expect(await world.balance(till.user.accountId)).toBe(2400n);
  });

  it('refuses a handover from a till not reported compromised, to another merchant’s till, or signed by the wrong key', async () => {
    const { till } = await shopWithUnsettled();
    const successor = await world.anotherTill(till.user);
    expectRefused(await handover(till, successor), 409, 'BANK_HANDOVER_REFUSED');
    expect((await report(till)).statusCode).toBe(200);
    const other = await world.payee('Other Shop');
    expectRefused(await handover(till, other), 409, 'BANK_HANDOVER_REFUSED');
    // Signed by the stolen key itself, naming the successor: the signature is the successor's.
    const forged = signLedgerHandover(
      { fromPayeeKid: till.kid, toPayeeKid: successor.kid, from: till.settled },
      till.secretKey,
    );
    const res = await world.post('/v1/payee/handovers', {
      handover: toBase64Url(encodeLedgerHandover(forged)),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'PROTO_SIGNATURE_INVALID' });
    // A till that is itself reported compromised cannot take a ledger over.
    expect((await report(successor)).statusCode).toBe(200);
    expectRefused(await handover(till, successor), 409, 'BANK_HANDOVER_REFUSED');
  });
});

import { equalBytes, fromHex, randomBytes, toHex } from '@offpay/crypto';
import { encodeRevocationList, payerGenesis, signRevocationList } from '@offpay/protocol';
import { AppError, openAppDb, rememberBankTime, unlockVault, type WriteOp } from '@offpay/app-kit';
import { describe, expect, it, vi } from 'vitest';
import { PAYER_KEY, walletSchema, type WalletDb } from '../src/db.js';
import { listHistory } from '../src/state/history.js';
import { commitPayment, preparePayment, type PreparedPayment } from '../src/state/pay.js';
import { overview } from '../src/state/wallet.js';
import {
  NOW,
  NOW_MS,
  PASSPHRASE,
  chainRow,
  patchChain,
  Receiver,
  enrollLocally,
  enrolledWallet,
  issuePayer,
  makeBank,
  withWrite,
} from './helpers.js';

const bank = makeBank();
const bob = new Receiver(bank);
const at = { nowMs: NOW_MS };

async function prepared(
  db: WalletDb,
  vault: Parameters<typeof preparePayment>[1],
  bytes: Uint8Array,
) {
  const p = await preparePayment(db, vault, bytes, at);
  if (p.kind !== 'new') throw new Error('expected a new payment');
  return p;
}

describe('preparePayment', () => {
  it('shows the amount, the payee’s bank-verified name and the memo, and what is left after', async () => {
    const { db, vault } = await enrolledWallet(bank, { limit: 2000 });
    const p = await prepared(db, vault, bob.request(250, { memo: 'Two coffees' }));
    expect(p.amount.toString()).toBe('2.50 EUR');
    expect(p.payeeName).toBe("Bob's Market");
    expect(p.memo).toBe('Two coffees');
    expect(p.remainingAfter.toString()).toBe('17.50 EUR');
  });

  it('refuses an expired request', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const request = bob.request(250, { expiresAt: NOW - 1 });
    await expect(preparePayment(db, vault, request, at)).rejects.toMatchObject({
      code: 'PROTO_REQUEST_EXPIRED',
    });
  });

  it('refuses to confirm a request that expired while the confirm screen was open', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const prepared = await preparePayment(db, vault, bob.request(250, { expiresAt: NOW + 60 }), at);
    if (prepared.kind !== 'new') throw new Error('expected a new payment');
    await expect(
      commitPayment(db, vault, prepared, { nowMs: NOW_MS + 61_000 }),
    ).rejects.toMatchObject({
      code: 'PROTO_REQUEST_EXPIRED',
    });
    expect(await listHistory(db)).toEqual([]);
  });

  it('refuses a request in another currency', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const dollars = new Receiver(bank, { currency: 'USD' });
    await expect(preparePayment(db, vault, dollars.request(250), at)).rejects.toMatchObject({
      code: 'APP_CURRENCY_MISMATCH',
    });
  });

  it('refuses a request over the allowance left, and accepts one exactly at it', async () => {
    const { db, vault } = await enrolledWallet(bank, { limit: 2000 });
    await expect(preparePayment(db, vault, bob.request(2001), at)).rejects.toMatchObject({
      code: 'PROTO_PAYMENT_OVER_LIMIT',
    });
    await commitPayment(db, vault, await prepared(db, vault, bob.request(1500)), at);
    await expect(preparePayment(db, vault, bob.request(501), at)).rejects.toMatchObject({
      code: 'PROTO_PAYMENT_OVER_LIMIT',
    });
    const rest = await prepared(db, vault, bob.request(500));
    expect(rest.remainingAfter.minor).toBe(0);
  });

  it('refuses a payee certified by a bank that is not pinned', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const impostor = new Receiver(makeBank());
    await expect(preparePayment(db, vault, impostor.request(250), at)).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
  });

  it('refuses damaged request bytes with a protocol code', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const bytes = bob.request(250);
    await expect(preparePayment(db, vault, bytes.subarray(0, 40), at)).rejects.toMatchObject({
      code: expect.stringMatching(/^PROTO_/),
    });
  });

  it('refuses to pay once the wallet’s own certificate has expired', async () => {
    const { db, vault } = await enrolledWallet(bank, { expiresAt: NOW + 60 });
    const request = bob.request(250, { expiresAt: NOW + 3600 });
    await expect(
      preparePayment(db, vault, request, { nowMs: (NOW + 120) * 1000 }),
    ).rejects.toMatchObject({ code: 'PROTO_CERT_EXPIRED' });
  });

  it('refuses when the device clock is behind the last bank time seen', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await prepared(db, vault, bob.request(250));
    await rememberBankTime(db, NOW + 100);
    await expect(preparePayment(db, vault, bob.request(250), at)).rejects.toMatchObject({
      code: 'PROTO_CLOCK_BEHIND',
    });
    await expect(commitPayment(db, vault, p, at)).rejects.toMatchObject({
      code: 'PROTO_CLOCK_BEHIND',
    });
    expect(await listHistory(db)).toHaveLength(0);
  });
});

describe('commitPayment', () => {
  it('signs the next link of the chain, stores it with its history record, and seals it to the payee', async () => {
    const { db, vault, cert } = await enrolledWallet(bank, { limit: 2000 });
    const first = await commitPayment(db, vault, await prepared(db, vault, bob.request(250)), at);
    expect(first).toMatchObject({
      counter: 1,
      amount: 250,
      state: 'sent',
      payeeName: "Bob's Market",
    });
    const opened = bob.open(first.sealed);
    expect(toHex(opened.paymentId)).toBe(first.paymentId);
    expect(equalBytes(opened.prev, payerGenesis(cert.serial))).toBe(true);

    const second = await commitPayment(db, vault, await prepared(db, vault, bob.request(300)), at);
    const next = bob.open(second.sealed);
    expect(next.counter).toBe(2);
    expect(equalBytes(next.prev, fromHex(first.paymentId))).toBe(true);
    expect(next.spent).toBe(550);

    const chain = await chainRow(db);
    expect(chain?.counter).toBe(2);
    expect(toHex(chain!.lastPaymentId)).toBe(second.paymentId);
    expect((await overview(db, vault, NOW)).remaining.toString()).toBe('14.50 EUR');
    expect((await listHistory(db)).map((i) => i.paymentId)).toEqual([
      second.paymentId,
      first.paymentId,
    ]);
  });

  it('reads, signs and writes the chain state and the history record in one transaction', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const writes: (readonly WriteOp<typeof walletSchema.stores>[])[] = [];
    const transactions: string[][] = [];
    const spy = withWrite(
      db,
      (ops, next) => {
        writes.push(ops);
        return next(ops);
      },
      transactions,
    );
    const p = await prepared(db, vault, bob.request(250));
    const item = await commitPayment(spy, vault, p, at);
    expect(transactions).toEqual([['meta', 'chain', 'history']]);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.map((op) => ('put' in op ? op.put : ''))).toEqual(['chain', 'history']);
    expect(item.payeeKid).toBe(toHex(bob.kid));
  });

  it('keeps the chain where it was when the write fails, so the counter is reused by nothing shown', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await prepared(db, vault, bob.request(250));
    const failing = withWrite(db, () => Promise.reject(new AppError('APP_STORAGE_FAILED')));
    // (inside the payment's one transaction: the whole of it is rolled back)
    await expect(commitPayment(failing, vault, p, at)).rejects.toMatchObject({
      code: 'APP_STORAGE_FAILED',
    });
    expect((await chainRow(db))?.counter).toBe(0);
    expect(await listHistory(db)).toHaveLength(0);
    // Confirming again once storage works pays (sealed afresh: an HPKE seal is single-shot).
    const item = await commitPayment(db, vault, p, at);
    expect(item.counter).toBe(1);
    expect((await chainRow(db))?.counter).toBe(1);
  });

  it('pays a request once: confirming twice or scanning it again shows the same payment', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const bytes = bob.request(250);
    const p: PreparedPayment = await prepared(db, vault, bytes);
    const first = await commitPayment(db, vault, p, at);
    const again = await commitPayment(db, vault, p, at);
    expect(again.paymentId).toBe(first.paymentId);
    const rescanned = await preparePayment(db, vault, bytes, at);
    expect(rescanned).toMatchObject({ kind: 'paid', item: { paymentId: first.paymentId } });
    expect((await chainRow(db))?.counter).toBe(1);
    expect(await listHistory(db)).toHaveLength(1);
  });
});

describe('paid requests are told apart by payee', () => {
  it('the same request id from another payee is a new payment, sealed to that payee', async () => {
    const { db, vault } = await enrolledWallet(bank, { limit: 2000 });
    const carol = new Receiver(bank, { displayName: 'Carol' });
    const requestId = randomBytes(16);
    const fromBob = bob.request(250, { requestId });
    const fromCarol = carol.request(300, { requestId });
    const paidBob = await commitPayment(db, vault, await prepared(db, vault, fromBob), at);
    const p = await preparePayment(db, vault, fromCarol, at);
    expect(p).toMatchObject({ kind: 'new', payeeName: 'Carol' });
    if (p.kind !== 'new') throw new Error('expected a new payment');
    const paidCarol = await commitPayment(db, vault, p, at);
    expect(paidCarol.paymentId).not.toBe(paidBob.paymentId);
    expect(carol.open(paidCarol.sealed).amount).toBe(300);
    expect(await preparePayment(db, vault, fromBob, at)).toMatchObject({
      kind: 'paid',
      item: { paymentId: paidBob.paymentId },
    });
    expect(await preparePayment(db, vault, fromCarol, at)).toMatchObject({
      kind: 'paid',
      item: { paymentId: paidCarol.paymentId },
    });
  });

  it('a damaged record of the payment of a request is refused, never paid again', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const bytes = bob.request(250);
    const item = await commitPayment(db, vault, await prepared(db, vault, bytes), at);
    await db.write([{ put: 'history', value: { ...item, amount: -1 } }]);
    await expect(preparePayment(db, vault, bytes, at)).rejects.toMatchObject({
      code: 'APP_WALLET_STATE_CHANGED',
    });
  });
});

describe('the wallet changed under the page', () => {
  it('refuses to pay with the old key after another tab renewed', async () => {
    const { db, vault } = await enrolledWallet(bank);
    const p = await prepared(db, vault, bob.request(250));
    const otherTab = await unlockVault(db, PASSPHRASE);
    await enrollLocally(db, otherTab, bank);
    await expect(preparePayment(db, vault, bob.request(250), at)).rejects.toMatchObject({
      code: 'APP_WALLET_STATE_CHANGED',
    });
    await expect(commitPayment(db, vault, p, at)).rejects.toMatchObject({
      code: 'APP_WALLET_STATE_CHANGED',
    });
    expect(await listHistory(db)).toHaveLength(0);
  });

  it('refuses a damaged chain row', async () => {
    const { db, vault } = await enrolledWallet(bank);
    await patchChain(db, { counter: -1 });
    await expect(preparePayment(db, vault, bob.request(250), at)).rejects.toMatchObject({
      code: 'APP_WALLET_STATE_CHANGED',
    });
  });
});

describe('checks kept across payments', () => {
  it('verifies a changed certificate row again, even after paying with the old one', async () => {
    const { db, vault } = await enrolledWallet(bank);
    await commitPayment(db, vault, await prepared(db, vault, bob.request(100)), at);
    const good = (await chainRow(db))!.certificate;
    const forged = good.slice();
    forged[forged.length - 5]! ^= 1; // inside the bank's signature
    await patchChain(db, { certificate: forged });
    await expect(preparePayment(db, vault, bob.request(100), at)).rejects.toMatchObject({
      code: expect.stringMatching(/^PROTO_/),
    });
    // The same key certified by a bank that is not pinned.
    const rogue = issuePayer(makeBank(), vault.secret(PAYER_KEY)!);
    await patchChain(db, { certificate: rogue.bytes });
    await expect(preparePayment(db, vault, bob.request(100), at)).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
    // The genuine certificate under other pinned keys is checked under those keys.
    await patchChain(db, { certificate: good });
    const other = { signKeys: [makeBank().signPk], kemKey: bank.kemPk };
    await db.write([{ put: 'meta', key: 'bankKeys', value: other }]);
    await expect(overview(db, vault, NOW)).rejects.toMatchObject({
      code: 'PROTO_UNKNOWN_ISSUER',
    });
  });

  it('reads a new revocation list at once, and never trusts other bytes under a known seq', async () => {
    const { db, vault, cert } = await enrolledWallet(bank);
    const row = (seq: number, serials: number[], signer = bank) => ({
      seq,
      signed: encodeRevocationList(
        signRevocationList({ seq, issuedAt: NOW, serials }, signer.signSk),
      ),
    });
    await db.write([{ put: 'meta', key: 'revocations', value: row(1, []) }]);
    await commitPayment(db, vault, await prepared(db, vault, bob.request(100)), at);
    await db.write([{ put: 'meta', key: 'revocations', value: row(2, [cert.serial]) }]);
    await expect(preparePayment(db, vault, bob.request(100), at)).rejects.toMatchObject({
      code: 'PROTO_CERT_REVOKED',
    });
    expect((await overview(db, vault, NOW)).revoked).toBe(true);
    // Bytes signed by another bank under the same seq are not the list verified before.
    await db.write([{ put: 'meta', key: 'revocations', value: row(2, [], makeBank()) }]);
    expect((await overview(db, vault, NOW)).revoked).toBe(false);
  });
});

describe('two payments at once', () => {
  it('never signs the same counter twice: concurrent confirms make counters 1 and 2', async () => {
    const { db, vault } = await enrolledWallet(bank, { limit: 2000 });
    const a = await prepared(db, vault, bob.request(100));
    const b = await prepared(db, vault, bob.request(200));
    const [x, y] = await Promise.all([
      commitPayment(db, vault, a, at),
      commitPayment(db, vault, b, at),
    ]);
    expect([x.counter, y.counter].sort()).toEqual([1, 2]);
    const [first, second] = x.counter === 1 ? [x, y] : [y, x];
    expect(equalBytes(bob.open(second.sealed).prev, fromHex(first.paymentId))).toBe(true);
    expect(bob.open(second.sealed).spent).toBe(300);
  });

  it('two tabs confirming at once (two connections) sign counters 1 and 2, asking for no lock', async () => {
    const names: string[] = [];
    const request = (name: string, fn: () => Promise<unknown>) => (names.push(name), fn());
    vi.stubGlobal('navigator', { locks: { request } });
    try {
      const { db, vault } = await enrolledWallet(bank, { limit: 2000 });
      const otherTab = await openAppDb(walletSchema, db.name);
      const a = await prepared(db, vault, bob.request(100));
      const b = await prepared(otherTab, vault, bob.request(200));
      names.length = 0; // setting up and enrolling take the wallet lock; paying must not
      const [x, y] = await Promise.all([
        commitPayment(db, vault, a, at),
        commitPayment(otherTab, vault, b, at),
      ]);
      expect([x.counter, y.counter].sort()).toEqual([1, 2]);
      expect((await chainRow(db))?.spent).toBe(300);
      expect(await listHistory(otherTab)).toHaveLength(2);
      // The payment's one transaction is what keeps the counter: no Web Lock round trip.
      expect(names).toEqual([]);
      otherTab.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

/**
 * Taking over a stolen till's ledger (src/state/handover.ts, docs/protocol.md §9.7): the restored
 * till, refused as revoked, enrolls new keys, hands its ledger over from its settled head, settles
 * the rest signed by the new key and then takes payments on a fresh ledger — resuming after a tab
 * closed midway. The bank's answers are made with the protocol's own functions.
 */
import { equalBytes, getPublicKey, kid, randomBytes, toHex } from '@offpay/crypto';
import {
  decodeLedgerHandover,
  emptyLedgerHead,
  encodeCertificate,
  issuePayeeCertificate,
  verifyEnrollment,
  verifyLedgerHandover,
} from '@offpay/protocol';
import {
  AppError,
  BankRefusal,
  type BankClient,
  type EnrolledPayee,
  type PayeeEnrollment,
} from '@offpay/app-kit';
import { describe, expect, it } from 'vitest';
import { META, NEXT_SECRET, SECRET } from '../src/db.js';
import { pendingBatches, unsettled } from '../src/state/batches.js';
import { handoverStep, takeOverLedger } from '../src/state/handover.js';
import { ledgerRows } from '../src/state/ledger.js';
import { settleNow } from '../src/state/settle.js';
import { loadTill, readHead } from '../src/state/till.js';
import { FakeBank } from './fake-bank.js';
import { DAY, makeTill, NOW, NOW_MS, payRequest, TestPayer, type TestTill } from './helpers.js';

/** The bank's enrollment and handover routes beside the FakeBank's settlement, in miniature. */
class TakeoverBank extends FakeBank {
  enrollments = 0;
  handovers = 0;
  /** When set, the next handover post fails with this (the network dropped). */
  handoverError?: Error;
  /** When set, the handover answer is replaced by this. */
  tamperHandover?: (a: HandoverAnswer) => HandoverAnswer;
  private readonly issued = new Map<string, Uint8Array>();
  private readonly challenges = new Map<string, Uint8Array>();
  private serial = 9000;

  constructor(private readonly tt: TestTill) {
    super(tt);
    this.revoked = true;
  }

  override client(): BankClient {
    const base = super.client() as unknown as Record<string, unknown>;
    return {
      ...base,
      challenge: () => Promise.resolve(this.challenge()),
      enrollPayee: (_token: string, input: PayeeEnrollment) =>
        Promise.resolve().then(() => this.enrollPayee(input)),
      ledgerHandover: (bytes: Uint8Array) =>
        Promise.resolve().then(() => this.ledgerHandover(bytes)),
    } as unknown as BankClient;
  }

  private challenge() {
    const challengeId = `c${this.challenges.size + 1}`;
    const challenge = randomBytes(32);
    this.challenges.set(challengeId, challenge);
    return { challengeId, challenge };
  }

  private enrollPayee(input: PayeeEnrollment): EnrolledPayee {
    const challenge = this.challenges.get(input.challengeId)!;
    const { signKey, kemKey } = input;
    verifyEnrollment({ kind: 'payee', challenge, signKey, kemKey }, input.signature);
    if (this.issued.has(toHex(signKey))) {
      throw new BankRefusal('BANK_KEY_ALREADY_ENROLLED', 'enrolled before', 409);
    }
    this.enrollments++;
    const cert = issuePayeeCertificate(
      {
        serial: ++this.serial,
        signKey,
        kemKey,
        currency: 'EUR',
        expiresAt: NOW + 365 * DAY,
        displayName: "Bob's Market",
      },
      this.tt.bank.signSk,
    );
    this.issued.set(toHex(signKey), signKey);
    const certificate = encodeCertificate(cert);
    return {
      serial: String(cert.serial),
      certificate,
      expiresAt: cert.expiresAt,
      currency: 'EUR',
    } as unknown as EnrolledPayee;
  }

  private ledgerHandover(bytes: Uint8Array): HandoverAnswer {
    this.handovers++;
    if (this.handoverError) {
      const e = this.handoverError;
      this.handoverError = undefined;
      throw e;
    }
    const h = decodeLedgerHandover(bytes);
    expect(toHex(h.fromPayeeKid)).toBe(this.tt.till.kidHex);
    const successor = [...this.issued.values()].find((k) => equalBytes(kid(k), h.toPayeeKid));
    if (!successor) throw new BankRefusal('BANK_UNKNOWN_PAYEE', 'unknown', 404);
    verifyLedgerHandover(h, successor);
    this.successorKey = successor;
    this.head = h.from;
    const answer = {
      fromSerial: String(this.tt.till.cert.serial),
      toSerial: String(this.serial),
      nextIndex: h.from.nextIndex,
      head: toHex(h.from.head),
    };
    return this.tamperHandover ? this.tamperHandover(answer) : answer;
  }
}

interface HandoverAnswer {
  fromSerial: string;
  toSerial: string;
  nextIndex: number;
  head: string;
}

async function pay(t: TestTill, payer: TestPayer, amounts: string[]): Promise<void> {
  for (const amount of amounts) await payRequest(t, payer, amount);
}

/** A till with 2 entries settled and 3 not, whose key the bank now refuses. */
async function stolenTill() {
  const t = await makeTill();
  const bank = new TakeoverBank(t);
  const payer = new TestPayer(t.bank);
  bank.revoked = false;
  await pay(t, payer, ['1.00', '2.00']);
  await settleNow(t.db, t.till, bank.client(), 'token', () => undefined, NOW_MS);
  await pay(t, payer, ['3.00', '4.00', '5.00']);
  bank.revoked = true;
  return { t, bank, payer };
}

const run = (t: TestTill, bank: TakeoverBank) =>
  takeOverLedger(t.db, t.vault, t.till, bank.client(), 'token', () => undefined, NOW_MS);

describe('taking over a stolen till’s ledger', () => {
  it('settles the old ledger signed by new keys, then takes payments on a fresh ledger', async () => {
    const { t, bank, payer } = await stolenTill();
    await expect(
      settleNow(t.db, t.till, bank.client(), 'token', () => undefined, NOW_MS),
    ).rejects.toMatchObject({ code: 'BANK_PAYEE_REVOKED' });

    const done = await run(t, bank);
    expect(done.settled.entries).toBe(3);
    expect(bank.settledIds.size).toBe(5);
    expect(bank.head.nextIndex).toBe(5);
    const next = done.till!;
    expect(next.cert.serial).not.toBe(t.till.cert.serial);
    expect(next.kidHex).toBe(toHex(kid(bank.successorKey!)));
    // The new keys are the till's own now, the successor's names gone, the old ledger settled.
    expect(equalBytes(getPublicKey(t.vault.secret(SECRET.sign)!), bank.successorKey!)).toBe(true);
    expect(t.vault.secret(NEXT_SECRET.sign)).toBeUndefined();
    expect(await handoverStep(t.db)).toBeUndefined();
    expect(await ledgerRows(t.db, next)).toEqual([]);
    expect(await readHead(t.db, META.settledHead, next)).toEqual(emptyLedgerHead(next.cert.serial));
    expect((await loadTill(t.db, t.vault))?.kidHex).toBe(next.kidHex);

    // A payment under the new certificate starts the new ledger at entry 0.
    const accepted = await payRequest({ ...t, till: next }, payer, '6.00');
    expect(accepted.record.index).toBe(0);
  });

  it('resumes after the tab closed midway, enrolling once and settling each entry once', async () => {
    const { t, bank } = await stolenTill();
    bank.handoverError = new AppError('APP_OFFLINE');
    await expect(run(t, bank)).rejects.toMatchObject({ code: 'APP_OFFLINE' });
    expect(await handoverStep(t.db)).toBe('enrolled');
    expect((await unsettled(t.db, t.till)).records).toHaveLength(3);

    const done = await run(t, bank);
    expect(bank.enrollments).toBe(1);
    expect(bank.handovers).toBe(2);
    expect(done.settled.entries).toBe(3);
    expect(done.till).toBeDefined();
    expect(await pendingBatches(t.db)).toEqual([]);
  });

  it('enrolls fresh keys when the bank certified the first pair but the answer was lost', async () => {
    const { t, bank } = await stolenTill();
    // The first pair certified, then the tab closed before the certificate was kept.
    await expect(
      run(t, { ...bank, client: () => lostAnswer(bank) } as unknown as TakeoverBank),
    ).rejects.toMatchObject({ code: 'APP_OFFLINE' });
    expect(await handoverStep(t.db)).toBe('keys');
    const done = await run(t, bank);
    expect(bank.enrollments).toBe(2);
    expect(done.till?.kidHex).toBe(toHex(kid(bank.successorKey!)));
  });

  it('keeps its step and the old keys when the handover answer names another head', async () => {
    const { t, bank } = await stolenTill();
    bank.tamperHandover = (a) => ({ ...a, nextIndex: a.nextIndex + 1 });
    await expect(run(t, bank)).rejects.toMatchObject({ code: 'APP_BANK_RESPONSE' });
    expect(await handoverStep(t.db)).toBe('enrolled');
    expect(equalBytes(t.vault.secret(SECRET.sign)!, t.till.signSecret)).toBe(true);
    expect((await unsettled(t.db, t.till)).records).toHaveLength(3);
  });
});

/** The bank certifies the key, but the answer never arrives. */
function lostAnswer(bank: TakeoverBank): BankClient {
  const client = bank.client();
  return {
    ...client,
    enrollPayee: async (token: string, input: PayeeEnrollment) => {
      await client.enrollPayee(token, input);
      throw new AppError('APP_OFFLINE');
    },
  } as unknown as BankClient;
}

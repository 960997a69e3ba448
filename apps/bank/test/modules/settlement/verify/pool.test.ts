/**
 * The worker-thread verifier gives exactly the in-thread answer (issue #5 "Speed"): on random
 * batches mixing honest payments, forged and high-S signatures, certificates from a foreign bank
 * and certificates with a forged bank signature; and a worker that crashes makes the batch verify
 * in-thread instead of answering wrongly.
 */
import {
  generateSecretKey,
  getPublicKey,
  kid,
  malleate,
  randomBytes,
  sign,
  verify,
} from '@offpay/crypto';
import {
  bankKeySet,
  decodeSettlementBatch,
  emptyLedgerHead,
  encodeSettlementBatch,
  issuePayerCertificate,
  payerGenesis,
  signPayment,
  signSettlementBatch,
  type Payment,
  type PayerCertificate,
  type SettlementBatch,
} from '@offpay/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNativeVerifier } from '../../../../src/modules/settlement/verify/native-verify.js';
import {
  createVerifyPool,
  type VerifyPath,
} from '../../../../src/modules/settlement/verify/pool.js';
import { verifyEntriesInThread } from '../../../../src/modules/settlement/settlement.verify.js';

const native = createNativeVerifier();
const bank = generateSecretKey();
const foreignBank = generateSecretKey();
const bankKeys = bankKeySet([getPublicKey(bank)]);
const payeeKey = generateSecretKey();
const payeeKid = kid(getPublicKey(payeeKey));
const now = Math.floor(Date.now() / 1000);

function payer(serial: number, issuer: 'bank' | 'foreign' | 'forged') {
  const secretKey = generateSecretKey();
  const fields = {
    serial,
    signKey: getPublicKey(secretKey),
    currency: 'EUR',
    expiresAt: now + 86_400,
    limit: 1_000_000,
  };
  // 'forged': names the bank as issuer but is signed by another key.
  const signer =
    issuer === 'bank'
      ? bank
      : issuer === 'foreign'
        ? foreignBank
        : { publicKey: getPublicKey(bank), sign: (m: Uint8Array) => sign(m, foreignBank) };
  return { secretKey, cert: issuePayerCertificate(fields, signer) };
}

function payments(p: { secretKey: Uint8Array; cert: PayerCertificate }, n: number): Payment[] {
  let prev = payerGenesis(p.cert.serial);
  return Array.from({ length: n }, (_, i) => {
    const payment = signPayment(
      {
        serial: p.cert.serial,
        counter: i + 1,
        prev,
        spent: i + 1,
        amount: 1,
        payeeKid,
        requestId: randomBytes(16),
        createdAt: now,
      },
      p.cert,
      p.secretKey,
    );
    prev = payment.paymentId;
    return payment;
  });
}

/** Honest payments under five certificates, and under one foreign and one forged certificate. */
const pool: Payment[] = [
  ...[1, 2, 3, 4, 5].flatMap((serial) => payments(payer(serial, 'bank'), 30)),
  ...payments(payer(6, 'foreign'), 10),
  ...payments(payer(7, 'forged'), 10),
];

type Tamper = 'none' | 'flip' | 'highS' | 'otherSignature';

function tampered(p: Payment, how: Tamper, flip: number): Payment {
  if (how === 'none') return p;
  if (how === 'highS') return { ...p, signature: malleate(p.signature) };
  if (how === 'otherSignature') return { ...p, signature: pool[0]!.signature };
  const signature = p.signature.slice();
  signature[flip % 64]! ^= 1 << (flip % 8);
  return { ...p, signature };
}

/** A signed batch, encoded and decoded again as the bank would read it. */
function batchOf(entries: Payment[]): SettlementBatch {
  const batch = signSettlementBatch(
    { payeeKid, from: emptyLedgerHead(1), payments: entries },
    payeeKey,
  );
  return decodeSettlementBatch(encodeSettlementBatch(batch));
}

const codes = (entries: { index: number; signatureCode: string | null }[]) =>
  entries.map((e) => [e.index, e.signatureCode]);

const entryArbitrary = fc.record({
  i: fc.nat(pool.length - 1),
  how: fc.constantFrom<Tamper>('none', 'none', 'none', 'flip', 'highS', 'otherSignature'),
  flip: fc.nat(511),
});

describe('the worker-thread verify pool', () => {
  const paths: VerifyPath[] = [];
  const verifyPool = createVerifyPool({
    verifier: native,
    workers: 2,
    minEntries: 8,
    onVerified: (path) => paths.push(path),
  });
  beforeAll(() => verifyPool.ready());
  afterAll(() => verifyPool.close());

  it('agrees with in-thread verification on random batches, forged and foreign included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArbitrary, { minLength: 8, maxLength: 160 }),
        async (picks) => {
          const batch = batchOf(picks.map(({ i, how, flip }) => tampered(pool[i]!, how, flip)));
          const inThread = verifyEntriesInThread(batch, bankKeys, native);
          const pooled = await verifyPool.verifyEntries(batch, bankKeys);
          expect(codes(pooled)).toEqual(codes(inThread));
          expect(pooled.map((e) => e.payment)).toEqual(batch.entries);
        },
      ),
      { numRuns: 25 },
    );
    expect(paths.filter((p) => p === 'pool')).toHaveLength(25);
  });

  it('gives the pure verifier’s verdicts (forged, foreign issuer, high-S accepted)', async () => {
    const picks = [0, 31, 95, 150, 151, 165, 166, 40].map((i) => pool[i]!);
    const batch = batchOf([
      ...picks,
      tampered(pool[1]!, 'flip', 77),
      tampered(pool[2]!, 'highS', 0),
      tampered(pool[3]!, 'otherSignature', 0),
    ]);
    const pooled = await verifyPool.verifyEntries(batch, bankKeys);
    expect(codes(pooled)).toEqual(codes(verifyEntriesInThread(batch, bankKeys, verify)));
    expect(pooled.map((e) => e.signatureCode)).toEqual([
      ...[null, null, null],
      'PROTO_UNKNOWN_ISSUER',
      'PROTO_UNKNOWN_ISSUER',
      'PROTO_SIGNATURE_INVALID',
      'PROTO_SIGNATURE_INVALID',
      null,
      'PROTO_SIGNATURE_INVALID',
      null,
      'PROTO_SIGNATURE_INVALID',
    ]);
  });

  it('checks small batches in this thread, without a worker round trip', async () => {
    paths.length = 0;
    const batch = batchOf(pool.slice(0, 7));
    const entries = await verifyPool.verifyEntries(batch, bankKeys);
    expect(codes(entries)).toEqual(codes(verifyEntriesInThread(batch, bankKeys, native)));
    expect(paths).toEqual(['thread']);
  });
});

describe('a verify pool whose workers crash', () => {
  for (const fixture of ['exiting-worker.ts', 'throwing-worker.ts']) {
    it(`falls back to in-thread verification (${fixture})`, async () => {
      const paths: VerifyPath[] = [];
      const errors: string[] = [];
      let bothReported!: () => void;
      const reported = new Promise<void>((resolve) => (bothReported = resolve));
      const crashing = createVerifyPool({
        verifier: native,
        workers: 2,
        minEntries: 8,
        maxRestarts: 2,
        workerUrl: new URL(`./fixtures/${fixture}`, import.meta.url),
        onVerified: (path) => paths.push(path),
        onWorkerError: (err) => {
          if (errors.push(err.message) === 2) bothReported();
        },
      });
      try {
        await crashing.ready();
        const batch = batchOf([...pool.slice(0, 40), tampered(pool[41]!, 'flip', 3)]);
        const expected = codes(verifyEntriesInThread(batch, bankKeys, native));
        expect(codes(await crashing.verifyEntries(batch, bankKeys))).toEqual(expected);
        expect(paths).toEqual(['fallback']);
        // Each crashed worker is reported once, with its exit (and the exception, if any).
        await reported;
        expect(errors).toHaveLength(2);
        for (const e of errors) expect(e).toMatch(/^verify worker exited with code/);
        if (fixture === 'throwing-worker.ts')
          expect(errors[0]).toContain('verify worker crashed on purpose');
        // The pool keeps answering, with workers restarted within its budget, or in-thread.
        for (let i = 0; i < 4; i++) {
          await crashing.ready();
          expect(codes(await crashing.verifyEntries(batch, bankKeys))).toEqual(expected);
        }
        expect(paths).toEqual(Array(5).fill('fallback'));
      } finally {
        await crashing.close();
      }
    });
  }
});

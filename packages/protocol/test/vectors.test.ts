/**
 * The published vectors (vectors/v1.json): reproduced byte for byte from the generator, every
 * valid example decodes to its stated fields and verifies, and every invalid one gives its code.
 */
import { readFileSync } from 'node:fs';
import { fromHex, open, toHex, verify } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import {
  bankKeySet,
  decodePayeeCertificate,
  decodePayerCertificate,
  decodePayment,
  decodePaymentRequest,
  decodeReceipt,
  decodeSettlementBatch,
  decodeSettlementResult,
  emptyLedgerHead,
  followKeyAnnouncements,
  openSettlementBatch,
  decodeLedgerHandover,
  readSettlementBatch,
  verifyFraudProof,
  verifyLedgerHandover,
  verifyKeyAnnouncement,
  verifyLedger,
  verifyPaymentOffline,
  verifyRevocationList,
  type Payment,
} from '../src/index.js';
import { vectorsText } from '../scripts/vectors.js';

const text = readFileSync(new URL('../vectors/v1.json', import.meta.url), 'utf8');
const V = JSON.parse(text) as VectorFile;

interface SigExample {
  publicKey: string;
  message: string;
  signature: string;
}
interface SealedExample {
  recipientSecretKey: string;
  info: string;
  plaintext: string;
  sealed: string;
}
interface InvalidVector {
  name: string;
  check:
    | 'receivePayment'
    | 'decodePayment'
    | 'decodePaymentRequest'
    | 'decodePayeeCertificate'
    | 'readSettlementBatch';
  input: string;
  context: null | {
    payeeKemSecretKey: string;
    payeeKid: string;
    currency: string;
    bankPublicKeys: string[];
    now: number;
    revokedSerials: number[];
    request: null | { requestId: string; amount: number; expiresAt: number };
    ledger: string[];
  };
  expectedCode: string;
  /** readSettlementBatch only: each entry's own code, '' when its payment decodes. */
  entryCodes?: string[];
}
type Json = any;
interface VectorFile {
  keys: Record<string, { secretKey: string; publicKey: string; kid: string }>;
  valid: Json;
  invalid: InvalidVector[];
}

/** Every object in the file that has the shape of a signature or a sealed example. */
function collect<T>(value: Json, test: (v: Json) => boolean, out: T[] = []): T[] {
  if (value && typeof value === 'object') {
    if (test(value)) out.push(value as T);
    for (const v of Object.values(value)) collect(v, test, out);
  }
  return out;
}

/** What a receiver answers for an invalid vector: the code of the first rule broken, or 'ACCEPTED'. */
export function verdict(v: InvalidVector): string {
  try {
    if (v.check === 'decodePaymentRequest') decodePaymentRequest(fromHex(v.input));
    else if (v.check === 'decodePayeeCertificate') decodePayeeCertificate(fromHex(v.input));
    else if (v.check === 'decodePayment') decodePayment(fromHex(v.input));
    else if (v.check === 'readSettlementBatch') {
      const refused = readSettlementBatch(fromHex(v.input)).entries.find((e) => e.refusal);
      if (refused) return refused.refusal!.code;
    } else {
      const ctx = v.context!;
      const ledger: Payment[] = ctx.ledger.map((x) => decodePayment(fromHex(x)));
      verifyPaymentOffline(fromHex(v.input), {
        payee: {
          kid: fromHex(ctx.payeeKid),
          kemSecretKey: fromHex(ctx.payeeKemSecretKey),
          currency: ctx.currency,
        },
        bankKeys: bankKeySet(ctx.bankPublicKeys.map(fromHex)),
        now: ctx.now,
        isRevoked: (serial) => ctx.revokedSerials.includes(serial),
        request: ctx.request
          ? {
              requestId: fromHex(ctx.request.requestId),
              amount: ctx.request.amount,
              expiresAt: ctx.request.expiresAt,
            }
          : undefined,
        findAccepted: (id) => {
          const i = ledger.findIndex((p) => toHex(p.paymentId) === id);
          return i < 0 ? undefined : i;
        },
        paymentsBySerial: (serial) => ledger.filter((p) => p.serial === serial),
      });
    }
    return 'ACCEPTED';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
}

describe('vectors/v1.json', () => {
  it('is exactly what the committed generator produces', () => {
    expect(vectorsText()).toBe(text);
  });

  it('has a verifying signature example for every signed message type', () => {
    const sigs = collect<SigExample>(
      V,
      (v) => 'publicKey' in v && 'message' in v && 'signature' in v,
    );
    expect(sigs.length).toBe(17);
    for (const s of sigs)
      expect(verify(fromHex(s.signature), fromHex(s.message), fromHex(s.publicKey))).toBe(true);
  });

  it('opens every sealed example to its plaintext, and the sealed payments sit under a payment path', () => {
    const sealed = collect<SealedExample>(V, (v) => 'recipientSecretKey' in v && 'sealed' in v);
    expect(sealed.length).toBe(4);
    for (const s of sealed) {
      const opened = open(fromHex(s.recipientSecretKey), fromHex(s.info), fromHex(s.sealed));
      expect(toHex(opened)).toBe(s.plaintext);
    }
    for (const p of V.valid.payments) expect(p.sealedPayment.sealed).toMatch(/^04/);
  });

  it('decodes every valid example to its stated fields', () => {
    const v = V.valid;
    expect(decodePayerCertificate(fromHex(v.payerCertificate.bytes))).toMatchObject({
      serial: 1001,
      limit: 10000,
      currency: 'EUR',
    });
    expect(decodePayeeCertificate(fromHex(v.payeeCertificate.bytes)).displayName).toBe(
      v.payeeCertificate.decoded.displayName,
    );
    expect(toHex(decodePaymentRequest(fromHex(v.paymentRequest.bytes)).requestId)).toBe(
      v.paymentRequest.decoded.requestId,
    );
    for (const p of v.payments) {
      const d = decodePayment(fromHex(p.bytes));
      expect(toHex(d.paymentId)).toBe(p.paymentId);
      expect({ counter: d.counter, spent: d.spent, amount: d.amount, prev: toHex(d.prev) }).toEqual(
        {
          counter: p.decoded.counter,
          spent: p.decoded.spent,
          amount: p.decoded.amount,
          prev: p.decoded.prev,
        },
      );
    }
    expect(toHex(decodePayment(fromHex(v.malleatedPayment.bytes)).paymentId)).toBe(
      v.payments[0].paymentId,
    );
    expect(decodeReceipt(fromHex(v.receipt.bytes)).index).toBe(v.receipt.decoded.index);
    const batch = decodeSettlementBatch(fromHex(v.settlementBatch.bytes));
    expect(toHex(batch.batchKey)).toBe(v.settlementBatch.batchKey);
    expect(
      decodeSettlementResult(fromHex(v.settlementResult.bytes)).results.map((r) => r.status),
    ).toEqual(['settled', 'settled', 'settled']);
    const bankKeys = bankKeySet([fromHex(V.keys.bankSign!.publicKey)]);
    expect(verifyRevocationList(fromHex(v.revocationList.bytes), bankKeys).serials).toEqual([
      17, 1001, 4242,
    ]);
    expect(toHex(verifyKeyAnnouncement(fromHex(v.keyAnnouncement.bytes), bankKeys).signKey)).toBe(
      v.keyAnnouncement.decoded.signKey,
    );
    expect(
      v.fraudProofs.map((f: Json) => verifyFraudProof(fromHex(f.bytes), bankKeys).kind),
    ).toEqual(['equivocation', 'fork', 'understated']);
    const handover = decodeLedgerHandover(fromHex(v.ledgerHandover.bytes));
    verifyLedgerHandover(handover, fromHex(v.ledgerHandover.signature.publicKey));
    expect(toHex(handover.from.head)).toBe(v.ledgerHandover.decoded.fromHead);
    expect(handover.from.nextIndex).toBe(v.ledgerHandover.decoded.fromIndex);
  });

  it('recomputes the ledger of three entries from its genesis', () => {
    const l = V.valid.ledger;
    expect(l.entries.length).toBeGreaterThanOrEqual(3);
    const head = emptyLedgerHead(l.payeeSerial);
    expect(toHex(head.head)).toBe(l.genesis);
    const entries = l.entries.map((e: Json, i: number) => ({
      index: e.index,
      payment: fromHex(V.valid.payments[i].bytes),
      paymentId: fromHex(e.paymentId),
      prevEntryHash: fromHex(e.prevEntryHash),
      entryHash: fromHex(e.entryHash),
    }));
    expect(toHex(verifyLedger(entries, head).head)).toBe(l.head);
  });

  it('opens the sealed settlement batch wire form with the bank KEM key its kid names', () => {
    const s = V.valid.settlementBatch.sealedSettlementBatch;
    const opened = openSettlementBatch(fromHex(s.wire), (k) =>
      k === V.keys.bankKem!.kid ? fromHex(s.recipientSecretKey) : undefined,
    );
    expect(toHex(opened)).toBe(V.valid.settlementBatch.bytes);
  });

  it('accepts every valid payment as a receiver would', () => {
    const accepted = V.valid.payments.map((p: Json, i: number) =>
      verdict({
        name: `valid-${i}`,
        check: 'receivePayment',
        input: p.sealedPayment.sealed,
        expectedCode: 'ACCEPTED',
        context: {
          ...V.invalid.find((x) => x.context)!.context!,
          now: 1_800_000_300,
          revokedSerials: [],
          ledger: V.valid.payments.slice(0, i).map((q: Json) => q.bytes),
          request: null,
        },
      }),
    );
    expect(accepted).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
  });

  it.each(V.invalid.map((v) => [v.name, v] as const))(
    'refuses invalid vector %s with its code',
    (_name, v) => {
      expect(verdict(v)).toBe(v.expectedCode);
    },
  );

  it('gives each entry of a batch read for settlement its own code', () => {
    const withEntries = V.invalid.filter((v) => v.entryCodes);
    expect(withEntries.length).toBeGreaterThan(0);
    for (const v of withEntries) {
      const codes = readSettlementBatch(fromHex(v.input)).entries.map((e) => e.refusal?.code ?? '');
      expect(codes).toEqual(v.entryCodes);
    }
  });

  it('walks the key rotation to the stated current keys', () => {
    const r = V.valid.keyRotation;
    const state = followKeyAnnouncements(
      bankKeySet(r.pinnedSignKeys.map(fromHex)),
      r.announcements.map((a: Json) => fromHex(a.bytes)),
    );
    const last = state.accepted.at(-1)!;
    expect(toHex(last.signKey)).toBe(r.currentSignKey);
    expect(toHex(last.kemKey)).toBe(r.currentKemKey);
    expect([...state.signKeys.values()].map(toHex)).toEqual(r.trustedSignKeys);
  });

  it('covers every invalid case the protocol promises', () => {
    expect(V.invalid.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'malleated-signature-duplicate',
        'counter-skip',
        'prev-mismatch',
        'understated-spent',
        'over-limit',
        'wrong-payee',
        'expired-certificate',
        'payer-certificate-as-payee',
        'tampered-sealed-byte',
        'tampered-signed-byte',
        'non-canonical-cbor',
        'version-text',
        'version-2-envelope-changed',
        'nesting-9-deep',
        'display-name-rtl-override',
        'batch-entry-version-2',
      ]),
    );
  });
});

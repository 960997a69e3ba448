/**
 * Fuzzing every decoder of packages/protocol (issue #10 item 9): seeded mutations of the
 * published vectors (packages/protocol/vectors/v1.json) — ≥ 100,000 inputs in CI, ≥ 1,000,000
 * in the long run. A decoder may accept an input or refuse it with one of the protocol's typed
 * errors (ProtocolError, a PROTO_* code); anything else is a defect. Every input that ever failed
 * is kept in test/regressions/protocol.json and replayed first.
 */
import { readFileSync } from 'node:fs';
import { fromHex } from '@offpay/crypto';
import {
  bankKeySet,
  decodeBase45,
  decodeCbor,
  decodeFile,
  decodeKeyAnnouncement,
  decodePayeeCertificate,
  decodePayerCertificate,
  decodePayment,
  decodePaymentRequest,
  decodeQrText,
  decodeReceipt,
  decodeSettlementBatch,
  decodeSettlementResult,
  encodeBase45,
  encodeFile,
  encodeQrText,
  openSettlementBatch,
  PROTO_ERRORS,
  readSealedBatch,
  readSettlementBatch,
  sealSettlementBatch,
  verifyFraudProof,
  verifyKeyAnnouncement,
  verifyRevocationList,
} from '@offpay/protocol';
import { describe, expect, it } from 'vitest';
import { mutate, mutateText } from '../src/mutate.js';
import { pick, rng, seed, size, summary } from '../src/scenario.js';

const INPUTS = size(100_000, 1_000_000);
const SEED = seed();

interface Vectors {
  keys: Record<string, { secretKey: string; publicKey: string; kid: string }>;
  valid: Record<string, { bytes?: string } | { bytes: string }[]>;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../packages/protocol/vectors/v1.json', import.meta.url), 'utf8'),
) as Vectors;
const bankKeys = bankKeySet([fromHex(vectors.keys['bankSign']!.publicKey)]);
const kem = vectors.keys['bankKem']!;

/** Hex of every valid vector named `name` (one or a list). */
function seedsOf(name: string): Uint8Array[] {
  const v = vectors.valid[name];
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list
    .filter((x): x is { bytes: string } => typeof x.bytes === 'string')
    .map((x) => fromHex(x.bytes));
}

const batchBytes = seedsOf('settlementBatch');
const sealed = batchBytes.map((b) => sealSettlementBatch(b, fromHex(kem.publicKey)));
const payments = seedsOf('payments');

/** Byte decoders and the valid inputs their mutations start from. */
const BYTE_DECODERS: Record<string, { seeds: Uint8Array[]; run: (b: Uint8Array) => unknown }> = {
  decodeCbor: { seeds: [...payments, ...batchBytes], run: (b) => decodeCbor(b) },
  decodePayerCertificate: {
    seeds: seedsOf('payerCertificate'),
    run: (b) => decodePayerCertificate(b),
  },
  decodePayeeCertificate: {
    seeds: seedsOf('payeeCertificate'),
    run: (b) => decodePayeeCertificate(b),
  },
  decodePaymentRequest: { seeds: seedsOf('paymentRequest'), run: (b) => decodePaymentRequest(b) },
  decodePayment: { seeds: payments, run: (b) => decodePayment(b) },
  decodeReceipt: { seeds: seedsOf('receipt'), run: (b) => decodeReceipt(b) },
  readSettlementBatch: { seeds: batchBytes, run: (b) => readSettlementBatch(b) },
  decodeSettlementBatch: { seeds: batchBytes, run: (b) => decodeSettlementBatch(b) },
  readSealedBatch: { seeds: sealed, run: (b) => readSealedBatch(b) },
  openSettlementBatch: {
    seeds: sealed,
    run: (b) => openSettlementBatch(b, (k) => (k === kem.kid ? fromHex(kem.secretKey) : undefined)),
  },
  decodeSettlementResult: {
    seeds: seedsOf('settlementResult'),
    run: (b) => decodeSettlementResult(b),
  },
  verifyRevocationList: {
    seeds: seedsOf('revocationList'),
    run: (b) => verifyRevocationList(b, bankKeys),
  },
  decodeKeyAnnouncement: {
    seeds: seedsOf('keyAnnouncement'),
    run: (b) => decodeKeyAnnouncement(b),
  },
  verifyKeyAnnouncement: {
    seeds: seedsOf('keyAnnouncement'),
    run: (b) => verifyKeyAnnouncement(b, bankKeys),
  },
  verifyFraudProof: { seeds: seedsOf('fraudProofs'), run: (b) => verifyFraudProof(b, bankKeys) },
};

/** Text decoders (QR text, base45, offpay files). */
const TEXT_DECODERS: Record<string, { seeds: string[]; run: (t: string) => unknown }> = {
  decodeQrText: { seeds: payments.map((p) => encodeQrText(p)), run: (t) => decodeQrText(t) },
  decodeBase45: { seeds: payments.map((p) => encodeBase45(p)), run: (t) => decodeBase45(t) },
  decodeFile: {
    seeds: [
      encodeFile('payment', payments[0]!, { note: 'fuzz' }),
      encodeFile('settlement-batch', sealed[0]!),
    ],
    run: (t) => decodeFile(t),
  },
};

/** Null when `err` is one of the protocol's typed errors, else what it is. */
function untyped(err: unknown): string | null {
  if (err instanceof Error && err.name === 'ProtocolError') {
    const code = (err as Error & { code?: string }).code;
    if (typeof code === 'string' && code in PROTO_ERRORS) return null;
  }
  return err instanceof Error
    ? `${err.name}: ${err.message}`
    : `thrown ${typeof err}: ${String(err)}`;
}

interface Regression {
  decoder: string;
  hex?: string;
  text?: string;
  found: string;
}
const regressions = JSON.parse(
  readFileSync(new URL('./regressions/protocol.json', import.meta.url), 'utf8'),
) as Regression[];

function runOne(decoder: string, input: Uint8Array | string): string | null {
  try {
    if (typeof input === 'string') TEXT_DECODERS[decoder]!.run(input);
    else BYTE_DECODERS[decoder]!.run(input);
    return null;
  } catch (err) {
    return untyped(err);
  }
}

describe('protocol decoders under mutated input', () => {
  it('every input that ever failed is now refused with a typed error (test/regressions/protocol.json)', () => {
    for (const r of regressions) {
      const input = r.text ?? fromHex(r.hex ?? '');
      expect(runOne(r.decoder, input), `${r.decoder} ${r.hex ?? r.text}`).toBeNull();
    }
  });

  it(`${INPUTS} mutated inputs across every decoder: only typed errors (seed printed)`, () => {
    const random = rng(SEED);
    const names = [...Object.keys(BYTE_DECODERS), ...Object.keys(TEXT_DECODERS)];
    for (const name of names) {
      const seeds = BYTE_DECODERS[name]?.seeds ?? TEXT_DECODERS[name]!.seeds;
      expect(seeds.length, `${name} has seed inputs`).toBeGreaterThan(0);
    }
    const perDecoder = Math.ceil(INPUTS / names.length);
    const failures: Regression[] = [];
    let inputs = 0;
    for (const name of names) {
      const bytes = BYTE_DECODERS[name];
      for (let i = 0; i < perDecoder; i++) {
        let input: Uint8Array | string;
        if (bytes)
          input = mutate(random, bytes.seeds[pick(random, bytes.seeds.length)]!, bytes.seeds);
        else {
          const { seeds } = TEXT_DECODERS[name]!;
          input = mutateText(random, seeds[pick(random, seeds.length)]!, seeds);
        }
        inputs++;
        const bad = runOne(name, input);
        if (bad === null) continue;
        if (failures.length < 20) {
          failures.push({
            decoder: name,
            ...(typeof input === 'string'
              ? { text: input }
              : { hex: Buffer.from(input).toString('hex') }),
            found: bad,
          });
        }
      }
    }
    summary('protocol decoder fuzzing', {
      seed: SEED,
      inputs,
      decoders: names.length,
      untyped: failures.length,
      fiveHundreds: 0,
      violations: failures.length,
    });
    // A failure printed here goes into test/regressions/protocol.json once fixed.
    expect(failures, JSON.stringify(failures.slice(0, 5), null, 1)).toEqual([]);
  });
});

import { sha256 } from '@offpay/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase45,
  encodeBase45,
  MAX_ANIMATED_BYTES,
  MAX_QR_TEXT_CHARS,
  MIN_CHARS_PER_PART,
  PartCollector,
  qrVersionFor,
  splitIntoParts,
} from '../../src/transport/index.js';
import { codeOf, expectCode } from '../expect-code.js';

const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/** A hand-made part: header fields as given (defaults from a real payload), then `chunk`. */
function craftPart(
  fields: { version?: number; index?: number; total?: number; length?: number },
  chunk: Uint8Array,
  checksumOf = chunk,
): string {
  const header = new Uint8Array(11);
  header[0] = fields.version ?? 1;
  header[1] = fields.index ?? 0;
  header[2] = fields.total ?? 1;
  new DataView(header.buffer).setUint32(3, fields.length ?? chunk.length);
  header.set(sha256(checksumOf).subarray(0, 4), 7);
  const bytes = new Uint8Array(11 + chunk.length);
  bytes.set(header);
  bytes.set(chunk, 11);
  return 'OP1M:' + encodeBase45(bytes);
}

/** The part text with one byte of its decoded form XOR-ed with `mask` (non-zero). */
function tamper(part: string, offset: number, mask: number): string {
  const bytes = decodeBase45(part.slice(5));
  bytes[offset % bytes.length]! ^= mask;
  return 'OP1M:' + encodeBase45(bytes);
}

function collectAll(parts: string[]): Uint8Array | undefined {
  const collector = new PartCollector();
  let payload: Uint8Array | undefined;
  for (const part of parts) payload = collector.add(part).payload;
  return payload;
}

const payloadAndWidth = fc.record({
  bytes: fc.uint8Array({ minLength: 1, maxLength: 3000 }),
  maxChars: fc.integer({ min: 60, max: 700 }),
});

describe('animated QR parts', () => {
  it('keeps every part within maxCharsPerPart and in QR alphanumeric characters', () => {
    fc.assert(
      fc.property(payloadAndWidth, ({ bytes, maxChars }) => {
        for (const part of splitIntoParts(bytes, maxChars)) {
          expect(part.length).toBeLessThanOrEqual(maxChars);
          expect(part.startsWith('OP1M:')).toBe(true);
          expect(part).toMatch(QR_ALPHANUMERIC);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('shows each default part in a QR code of version 15 or less at level M', () => {
    const parts = splitIntoParts(new Uint8Array(5000).fill(7));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(qrVersionFor(part)).toBeLessThanOrEqual(15);
  });

  it('reassembles the payload from parts scanned in any order, with repeats', () => {
    const scenario = payloadAndWidth.chain(({ bytes, maxChars }) => {
      const parts = splitIntoParts(bytes, maxChars);
      const indexes = parts.map((_, i) => i);
      return fc.record({
        bytes: fc.constant(bytes),
        parts: fc.constant(parts),
        order: fc.shuffledSubarray(indexes, { minLength: parts.length }),
        repeats: fc.array(fc.tuple(fc.nat(parts.length - 1), fc.nat()), { maxLength: 20 }),
      });
    });
    fc.assert(
      fc.property(scenario, ({ bytes, parts, order, repeats }) => {
        const sequence = [...order];
        for (const [index, at] of repeats) sequence.splice(at % (sequence.length + 1), 0, index);
        const collector = new PartCollector();
        const seen = new Set<number>();
        for (const i of sequence) {
          seen.add(i);
          const progress = collector.add(parts[i]!);
          expect(progress.received).toBe(seen.size);
          expect(progress.total).toBe(parts.length);
          if (seen.size === parts.length) expect(progress.payload).toEqual(bytes);
          else expect(progress.payload).toBeUndefined();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a part from another payload while collecting', () => {
    const two = fc
      .tuple(payloadAndWidth, fc.uint8Array({ minLength: 1, maxLength: 3000 }))
      .filter(
        ([{ bytes }, other]) =>
          bytes.length !== other.length || bytes.some((b, i) => b !== other[i]),
      );
    fc.assert(
      fc.property(two, fc.nat(), fc.nat(), ([{ bytes, maxChars }, other], i, j) => {
        const mine = splitIntoParts(bytes, maxChars);
        const theirs = splitIntoParts(other, maxChars);
        const collector = new PartCollector();
        collector.add(mine[i % mine.length]!);
        expectCode(() => collector.add(theirs[j % theirs.length]!), 'PROTO_QR_PART_MISMATCH');
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a payload whose chunk was altered, then starts over cleanly', () => {
    fc.assert(
      fc.property(
        payloadAndWidth,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ bytes, maxChars }, p, offset, mask) => {
          const parts = splitIntoParts(bytes, maxChars);
          const k = p % parts.length;
          const chunkLength = decodeBase45(parts[k]!.slice(5)).length - 11;
          const altered = parts.map((part, i) =>
            i === k ? tamper(part, 11 + (offset % chunkLength), mask) : part,
          );
          const collector = new PartCollector();
          altered.slice(0, -1).forEach((part) => collector.add(part));
          expectCode(() => collector.add(altered[altered.length - 1]!), 'PROTO_QR_CHECKSUM');
          expect(collector.progress()).toEqual({ received: 0, total: 0 });
          expect(collectAll(parts)).toEqual(bytes);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never yields a payload when any byte of any part was altered', () => {
    const codes = [
      'PROTO_QR_INVALID',
      'PROTO_QR_PART_MISMATCH',
      'PROTO_QR_CHECKSUM',
      'PROTO_TOO_LARGE',
    ];
    fc.assert(
      fc.property(
        payloadAndWidth,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ bytes, maxChars }, p, offset, mask) => {
          const parts = splitIntoParts(bytes, maxChars);
          const k = p % parts.length;
          const altered = parts.map((part, i) => (i === k ? tamper(part, offset, mask) : part));
          const collector = new PartCollector();
          for (const part of altered) {
            const code = codeOf(() => collector.add(part));
            if (code !== undefined) expect(codes).toContain(code);
          }
          expect(collector.progress().payload).toBeUndefined();
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses two different parts that claim the same position', () => {
    const collector = new PartCollector();
    const payload = Uint8Array.of(1, 2, 3, 4);
    collector.add(craftPart({ index: 0, total: 2, length: 4 }, Uint8Array.of(1, 2), payload));
    expectCode(
      () =>
        collector.add(craftPart({ index: 0, total: 2, length: 4 }, Uint8Array.of(9, 9), payload)),
      'PROTO_QR_PART_MISMATCH',
    );
    expect(
      collector.add(craftPart({ index: 1, total: 2, length: 4 }, Uint8Array.of(3, 4), payload))
        .payload,
    ).toEqual(payload);
  });

  it('reports progress as parts arrive and can be reset to scan another code', () => {
    const parts = splitIntoParts(new Uint8Array(1000).fill(1), 200);
    const collector = new PartCollector();
    expect(collector.progress()).toEqual({ received: 0, total: 0 });
    expect(collector.add(parts[2]!)).toEqual({ received: 1, total: parts.length });
    expect(collector.add(parts[2]!)).toEqual({ received: 1, total: parts.length });
    const other = splitIntoParts(new Uint8Array(10).fill(2), 200);
    expectCode(() => collector.add(other[0]!), 'PROTO_QR_PART_MISMATCH');
    collector.reset();
    expect(collector.add(other[0]!).payload).toEqual(new Uint8Array(10).fill(2));
  });

  it('carries exactly MAX_ANIMATED_BYTES in the largest codes and refuses one byte more', () => {
    const max = new Uint8Array(MAX_ANIMATED_BYTES).map((_, i) => i * 7);
    const parts = splitIntoParts(max, MAX_QR_TEXT_CHARS);
    expect(parts.length).toBeLessThanOrEqual(255);
    expect(collectAll(parts.reverse())).toEqual(max);
    expectCode(
      () => splitIntoParts(new Uint8Array(MAX_ANIMATED_BYTES + 1), MAX_QR_TEXT_CHARS),
      'PROTO_TOO_LARGE',
      {
        limit: MAX_ANIMATED_BYTES,
      },
    );
  });

  it('refuses a payload that would need more than 255 parts', () => {
    expect(splitIntoParts(new Uint8Array(255), MIN_CHARS_PER_PART)).toHaveLength(255);
    expectCode(() => splitIntoParts(new Uint8Array(256), MIN_CHARS_PER_PART), 'PROTO_TOO_LARGE', {
      limit: 255,
      actual: 256,
    });
  });

  it('refuses a part size too small to carry data, too large for a code, or not an integer', () => {
    const bytes = Uint8Array.of(1);
    for (const bad of [MIN_CHARS_PER_PART - 1, MAX_QR_TEXT_CHARS + 1, 600.5, Number.NaN]) {
      expect(() => splitIntoParts(bytes, bad)).toThrow(RangeError);
    }
    expect(() => splitIntoParts(new Uint8Array(0))).toThrow(RangeError);
  });

  it.each([
    ['a single-code QR text', 'OP1:BB8'],
    ['a header only', 'OP1M:' + encodeBase45(new Uint8Array(11))],
    ['an unknown version', craftPart({ version: 2 }, Uint8Array.of(1))],
    ['total 0', craftPart({ total: 0 }, Uint8Array.of(1))],
    ['index equal to total', craftPart({ index: 2, total: 2, length: 2 }, Uint8Array.of(1))],
    ['an empty payload length', craftPart({ length: 0 }, Uint8Array.of(1))],
    [
      'a chunk longer than its share',
      craftPart({ index: 0, total: 2, length: 4 }, Uint8Array.of(1, 2, 3)),
    ],
    [
      'a chunk shorter than its share',
      craftPart({ index: 1, total: 2, length: 4 }, Uint8Array.of(1)),
    ],
    [
      'more parts than bytes (an empty part)',
      craftPart({ index: 0, total: 3, length: 2 }, Uint8Array.of(1)),
    ],
    ['invalid base45', 'OP1M:GGW'],
  ])('refuses %s as an animated part', (_, text) => {
    expectCode(() => new PartCollector().add(text), 'PROTO_QR_INVALID');
  });

  it('refuses a part announcing a payload over MAX_ANIMATED_BYTES', () => {
    const part = craftPart({ total: 255, length: MAX_ANIMATED_BYTES + 1 }, new Uint8Array(258));
    expectCode(() => new PartCollector().add(part), 'PROTO_TOO_LARGE', {
      limit: MAX_ANIMATED_BYTES,
    });
  });
});

/**
 * Seeded mutations for fuzzing: a valid input changed the way damaged or hostile input is —
 * flipped bits, interesting bytes and CBOR heads, inserted, deleted, duplicated or truncated
 * ranges, splices of another valid input — so most inputs get past the first length check.
 */
import { pick } from './scenario.js';

/** Bytes that make decoders work: CBOR major-type heads, lengths, extremes. */
const INTERESTING = [
  0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x20, 0x38, 0x3b, 0x40, 0x58, 0x59, 0x5a, 0x5b,
  0x5f, 0x60, 0x78, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x88, 0x89, 0x98, 0x9f, 0xa0, 0xa1, 0xbf, 0xc0,
  0xc2, 0xd8, 0xf4, 0xf5, 0xf6, 0xf7, 0xf9, 0xfa, 0xfb, 0xff,
];

/** One to four mutations of `input` (never the same array). */
export function mutate(random: () => number, input: Uint8Array, others: Uint8Array[]): Uint8Array {
  let out: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + pick(random, 4);
  for (let r = 0; r < rounds; r++) out = mutateOnce(random, out, others);
  return out;
}

function mutateOnce(random: () => number, b: Uint8Array, others: Uint8Array[]): Uint8Array {
  const at = b.length === 0 ? 0 : pick(random, b.length);
  switch (pick(random, 9)) {
    case 0: {
      if (b.length === 0) return b;
      b[at] = b[at]! ^ (1 << pick(random, 8));
      return b;
    }
    case 1: {
      if (b.length === 0) return b;
      b[at] = INTERESTING[pick(random, INTERESTING.length)]!;
      return b;
    }
    case 2:
      return b.slice(0, at);
    case 3: {
      const len = 1 + pick(random, 16);
      return concat(b.slice(0, at), b.slice(Math.min(b.length, at + len)));
    }
    case 4: {
      const ins = Uint8Array.from({ length: 1 + pick(random, 8) }, () => pick(random, 256));
      return concat(b.slice(0, at), ins, b.slice(at));
    }
    case 5: {
      const len = 1 + pick(random, 32);
      return concat(b.slice(0, at + len), b.slice(at, at + len), b.slice(at + len));
    }
    case 6: {
      const other = others[pick(random, others.length)] ?? b;
      const from = pick(random, Math.max(1, other.length));
      return concat(b.slice(0, at), other.slice(from, from + 1 + pick(random, 64)));
    }
    case 7: {
      // A big-endian length field set to an extreme.
      if (b.length < 4) return b;
      const v = [0x00, 0xff, 0x7f, 0x80][pick(random, 4)]!;
      for (let i = 0; i < 4 && at + i < b.length; i++) b[at + i] = v;
      return b;
    }
    default:
      return Uint8Array.from({ length: pick(random, 64) }, () => pick(random, 256));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A text mutation: the bytes mutated, read back as latin1 (any code unit 0–255). */
export function mutateText(random: () => number, text: string, others: string[]): string {
  const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
  const bytes = mutate(random, enc(text), others.map(enc));
  return String.fromCharCode(...bytes);
}

/**
 * QR data masking (ISO/IEC 18004 §7.8): the eight mask patterns, the four penalty rules and the
 * choice of the lowest penalty — exactly as the `qrcode` library computes them (its rules, its
 * order, its ties), on a flat matrix. The library's own mask search was most of a code's
 * encoding time on a slow phone (~6.5 ms of ~8 ms at 4× CPU throttling, docs/PERFORMANCE.md
 * "Devices"); this one reads and writes one Uint8Array per mask with no call per module. The
 * matrices it makes are the library's, module for module (test/qr.test.ts compares them).
 */

/** Penalty weights N1–N4 (ISO/IEC 18004 §7.8.3, Table 11). */
const N1 = 3;
const N2 = 3;
const N3 = 40;
const N4 = 10;

/** Whether mask pattern `p` flips the module at (`i` row, `j` column): §7.8.2, Table 10. */
function maskAt(p: number, i: number, j: number): boolean {
  switch (p) {
    case 0:
      return (i + j) % 2 === 0;
    case 1:
      return i % 2 === 0;
    case 2:
      return j % 3 === 0;
    case 3:
      return (i + j) % 3 === 0;
    case 4:
      return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0;
    case 5:
      return ((i * j) % 2) + ((i * j) % 3) === 0;
    case 6:
      return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0;
    default:
      return (((i * j) % 3) + ((i + j) % 2)) % 2 === 0;
  }
}

/** The 15 format bits for error correction level M and mask `p` (§7.9.1: BCH(15, 5), masked). */
export function formatBitsM(p: number): number {
  const G15 = 0b10100110111;
  const data = (0b00 << 3) | p; // level M is 00
  let d = data << 10;
  for (let bit = 14; bit >= 10; bit--) if ((d >> bit) & 1) d ^= G15 << (bit - 10);
  return ((data << 10) | d) ^ 0b101010000010010;
}

/** Writes the format bits where `qrcode` writes them (its setupFormatInfo), both copies. */
function setFormat(m: Uint8Array, size: number, bits: number): void {
  for (let i = 0; i < 15; i++) {
    const v = (bits >> i) & 1;
    const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
    m[row * size + 8] = v;
    const col = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 15 - i - 1;
    m[8 * size + col] = v;
  }
  m[(size - 8) * size + 8] = 1; // the dark module
}

/** N1's points for a run of `run` same-colour modules (five or more). */
const runPoints = (run: number) => (run >= 5 ? N1 + run - 5 : 0);

/**
 * N1 + N2 + N3 + N4 of a masked symbol (the library's rules): runs of five or more of one colour
 * (N1), 2×2 blocks of one colour (N2), 1:1:3:1:1 finder-like runs with four light modules on one
 * side in 11-module windows (N3), and the share of dark modules away from 50 % (N4). Every term
 * is ≥ 0, so the count stops once it reaches `bound` (that mask cannot be the first lowest).
 */
function penalty(m: Uint8Array, size: number, bound: number): number {
  let points = 0;
  let dark = 0;
  for (let row = 0; row < size; row++) {
    const at = row * size;
    let run = 0;
    let last = -1;
    let bits = 0;
    for (let col = 0; col < size; col++) {
      const v = m[at + col]!;
      dark += v;
      if (v === last) run++;
      else {
        points += runPoints(run);
        last = v;
        run = 1;
      }
      bits = ((bits << 1) & 0x7ff) | v;
      if (col >= 10 && (bits === 0x5d0 || bits === 0x05d)) points += N3;
    }
    points += runPoints(run);
  }
  points += Math.abs(Math.ceil((dark * 100) / m.length / 5) - 10) * N4;
  if (points >= bound) return points;
  for (let row = 0; row < size - 1; row++) {
    const at = row * size;
    for (let col = 0; col < size - 1; col++) {
      const sum = m[at + col]! + m[at + col + 1]! + m[at + size + col]! + m[at + size + col + 1]!;
      if (sum === 4 || sum === 0) points += N2;
    }
  }
  if (points >= bound) return points;
  for (let col = 0; col < size; col++) {
    let run = 0;
    let last = -1;
    let bits = 0;
    for (let row = 0; row < size; row++) {
      const v = m[row * size + col]!;
      if (v === last) run++;
      else {
        points += runPoints(run);
        last = v;
        run = 1;
      }
      bits = ((bits << 1) & 0x7ff) | v;
      if (row >= 10 && (bits === 0x5d0 || bits === 0x05d)) points += N3;
    }
    points += runPoints(run);
  }
  return points;
}

/** The modules each pattern flips (function patterns and format areas never), per symbol size. */
const flips = new Map<number, { reserved: Uint8Array; masks: Uint8Array[] }>();

function flipsFor(reserved: Uint8Array, size: number): Uint8Array[] {
  const known = flips.get(size);
  // The reserved areas depend on the version only; checked anyway (a pass over the symbol).
  if (known && known.reserved.every((v, k) => v === reserved[k])) return known.masks;
  const masks = Array.from({ length: 8 }, (_, p) => {
    const mask = new Uint8Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const k = i * size + j;
        if (reserved[k] === 0 && maskAt(p, i, j)) mask[k] = 1;
      }
    }
    return mask;
  });
  if (flips.size >= 8) flips.clear();
  flips.set(size, { reserved: reserved.slice(), masks });
  return masks;
}

/**
 * The modules of a symbol masked with the pattern of lowest penalty (the first of equals), from
 * the symbol as `qrcode` made it with mask `applied`: `data` and `reserved` (function patterns,
 * format and version areas) row by row, `size` wide. `data` is not changed.
 */
export function withBestMask(
  data: Uint8Array,
  reserved: Uint8Array,
  size: number,
  applied: number,
): { modules: Uint8Array; mask: number } {
  const masks = flipsFor(reserved, size);
  // The unmasked symbol; then each pattern applied to a copy of it.
  const base = data.slice();
  const unmask = masks[applied]!;
  for (let k = 0; k < base.length; k++) base[k]! ^= unmask[k]!;
  const candidate = new Uint8Array(base.length);
  let best = 0;
  let lowest = Infinity;
  for (let p = 0; p < 8; p++) {
    masked(candidate, base, masks[p]!, size, p);
    const points = penalty(candidate, size, lowest);
    if (points < lowest) {
      lowest = points;
      best = p;
    }
  }
  masked(candidate, base, masks[best]!, size, best);
  return { modules: candidate, mask: best };
}

function masked(out: Uint8Array, base: Uint8Array, mask: Uint8Array, size: number, p: number) {
  for (let k = 0; k < out.length; k++) out[k] = base[k]! ^ mask[k]!;
  setFormat(out, size, formatBitsM(p));
}

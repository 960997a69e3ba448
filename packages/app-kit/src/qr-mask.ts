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

/** N1: runs of five or more same-colour modules in a row or column. */
function penaltyN1(m: Uint8Array, size: number): number {
  let points = 0;
  for (let a = 0; a < size; a++) {
    let runRow = 0;
    let runCol = 0;
    let lastRow = -1;
    let lastCol = -1;
    for (let b = 0; b < size; b++) {
      const r = m[a * size + b]!;
      if (r === lastRow) runRow++;
      else {
        if (runRow >= 5) points += N1 + runRow - 5;
        lastRow = r;
        runRow = 1;
      }
      const c = m[b * size + a]!;
      if (c === lastCol) runCol++;
      else {
        if (runCol >= 5) points += N1 + runCol - 5;
        lastCol = c;
        runCol = 1;
      }
    }
    if (runRow >= 5) points += N1 + runRow - 5;
    if (runCol >= 5) points += N1 + runCol - 5;
  }
  return points;
}

/** N2: 2×2 blocks of one colour. */
function penaltyN2(m: Uint8Array, size: number): number {
  let blocks = 0;
  for (let row = 0; row < size - 1; row++) {
    const at = row * size;
    for (let col = 0; col < size - 1; col++) {
      const sum = m[at + col]! + m[at + col + 1]! + m[at + size + col]! + m[at + size + col + 1]!;
      if (sum === 4 || sum === 0) blocks++;
    }
  }
  return blocks * N2;
}

/** N3: 1:1:3:1:1 finder-like runs with four light modules on one side (11-bit windows). */
function penaltyN3(m: Uint8Array, size: number): number {
  let found = 0;
  for (let a = 0; a < size; a++) {
    let bitsRow = 0;
    let bitsCol = 0;
    for (let b = 0; b < size; b++) {
      bitsRow = ((bitsRow << 1) & 0x7ff) | m[a * size + b]!;
      bitsCol = ((bitsCol << 1) & 0x7ff) | m[b * size + a]!;
      if (b >= 10) {
        if (bitsRow === 0x5d0 || bitsRow === 0x05d) found++;
        if (bitsCol === 0x5d0 || bitsCol === 0x05d) found++;
      }
    }
  }
  return found * N3;
}

/** N4: how far the share of dark modules is from 50 %, in steps of 5 %. */
function penaltyN4(m: Uint8Array): number {
  let dark = 0;
  for (let i = 0; i < m.length; i++) dark += m[i]!;
  return Math.abs(Math.ceil((dark * 100) / m.length / 5) - 10) * N4;
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
  // The unmasked symbol; then each pattern applied to a copy of it.
  const base = data.slice();
  const free: number[] = [];
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const k = i * size + j;
      if (reserved[k] !== 0) continue;
      free.push(k);
      if (maskAt(applied, i, j)) base[k]! ^= 1;
    }
  }
  const candidate = new Uint8Array(base.length);
  let best = 0;
  let lowest = Infinity;
  for (let p = 0; p < 8; p++) {
    masked(candidate, base, free, size, p);
    const penalty =
      penaltyN1(candidate, size) +
      penaltyN2(candidate, size) +
      penaltyN3(candidate, size) +
      penaltyN4(candidate);
    if (penalty < lowest) {
      lowest = penalty;
      best = p;
    }
  }
  masked(candidate, base, free, size, best);
  return { modules: candidate, mask: best };
}

function masked(out: Uint8Array, base: Uint8Array, free: number[], size: number, p: number) {
  out.set(base);
  for (const k of free) {
    const i = Math.floor(k / size);
    if (maskAt(p, i, k - i * size)) out[k]! ^= 1;
  }
  setFormat(out, size, formatBitsM(p));
}

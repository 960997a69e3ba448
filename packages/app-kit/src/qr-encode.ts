/**
 * A QR encoder for what the apps show (ISO/IEC 18004): one alphanumeric segment (base45 `OP1:`
 * and `OP1M:` texts) or one byte segment, error correction level M, versions 1–40. It makes the
 * modules the `qrcode` library makes for the same segment, module for module, including its mask
 * choice (test/qr-encode.test.ts compares them over random payloads and every version), but
 * builds them from per-version templates instead of one call per module:
 * - a template per version, made once: the function patterns (finder, separators, timing,
 *   alignment, version information, the dark module) as bit-packed rows and columns, the order
 *   of the data modules (§7.7.3) as word and bit offsets, and each mask pattern (§7.8.2) as
 *   words to XOR, the format information of that mask included (§7.9);
 * - Reed–Solomon (§7.5.2) over GF(256) with log/antilog tables and one generator per number of
 *   error correction codewords;
 * - the mask search on 32-bit words: runs, 2×2 blocks and finder-like patterns are counted with
 *   bitwise operations and a population count over rows and columns, by the library's rules
 *   (its mask-pattern.js: the penalties it counts one module at a time, in its order and ties).
 * The library took ~5.6 ms per 360-byte payment (version 15) at 4× CPU throttling
 * (docs/PERFORMANCE.md "Devices"); see "Round 3 (qrfast)" there for this one.
 */

/** Error correction blocks at level M, versions 1–40 (§7.5.1 Table 9; the library's table). */
const BLOCKS_M = [
  1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26,
  28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
];

/** Error correction codewords in all at level M, versions 1–40 (§7.5.1 Table 9). */
const EC_CODEWORDS_M = [
  10, 16, 26, 36, 48, 64, 72, 88, 110, 130, 150, 176, 198, 216, 240, 280, 308, 338, 364, 416, 442,
  476, 504, 560, 588, 644, 700, 728, 784, 812, 868, 924, 980, 1036, 1064, 1120, 1204, 1260, 1316,
  1372,
];

/** The 45 characters of alphanumeric mode in value order (§7.4.5 Table 5). */
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const ALPHANUMERIC_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHANUMERIC.length; i++) ALPHANUMERIC_VALUE[ALPHANUMERIC.charCodeAt(i)] = i;

/** The segment mode: its 4-bit indicator and the width of its character count (§7.4.1, Table 3). */
export type QrMode = 'alphanumeric' | 'byte';
const MODE_BITS: Record<QrMode, number> = { alphanumeric: 0b0010, byte: 0b0100 };
const COUNT_BITS: Record<QrMode, readonly [number, number, number]> = {
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
};

const countBits = (mode: QrMode, version: number): number =>
  COUNT_BITS[mode][version < 10 ? 0 : version < 27 ? 1 : 2];

/** Whether `text` is made of alphanumeric-mode characters only. */
export function isAlphanumeric(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || ALPHANUMERIC_VALUE[c]! < 0) return false;
  }
  return true;
}

/** Size in modules of a version: 21 + 4 per version above 1 (§6.3.1). */
const sizeOf = (version: number): number => 17 + 4 * version;

/** Codewords of a version, data and error correction (the modules left for data, ÷ 8). */
function totalCodewords(version: number): number {
  let modules = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const align = Math.floor(version / 7) + 2;
    modules -= (25 * align - 10) * align - 55;
    if (version >= 7) modules -= 36;
  }
  return modules >> 3;
}

const dataCodewords = (version: number): number =>
  totalCodewords(version) - EC_CODEWORDS_M[version - 1]!;

/** Characters of `mode` a version holds at level M, computed as the library computes it. */
function capacity(version: number, mode: QrMode): number {
  const usable = dataCodewords(version) * 8 - (4 + countBits(mode, version));
  return mode === 'alphanumeric' ? Math.floor((usable / 11) * 2) : Math.floor(usable / 8);
}

// ---------------------------------------------------------------------------------------------
// GF(256) and Reed–Solomon (§7.5.2): primitive polynomial x^8 + x^4 + x^3 + x^2 + 1.

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

/** Logs of the generator ∏(x − α^i), i < degree, highest power first without its leading 1. */
const generators = new Map<number, Int16Array>();

function generatorLogs(degree: number): Int16Array {
  let logs = generators.get(degree);
  if (logs) return logs;
  let poly = new Uint8Array([1]);
  for (let i = 0; i < degree; i++) {
    const next = new Uint8Array(poly.length + 1);
    for (let j = 0; j < poly.length; j++) {
      next[j]! ^= poly[j]!;
      if (poly[j] !== 0) next[j + 1]! ^= EXP[LOG[poly[j]!]! + i]!;
    }
    poly = next;
  }
  // A zero coefficient has no log: -1 marks it.
  logs = Int16Array.from(poly.subarray(1), (c) => (c === 0 ? -1 : LOG[c]!));
  generators.set(degree, logs);
  return logs;
}

/** The `ec.length` error correction codewords of `data` (the remainder of data·x^n ÷ generator). */
function reedSolomon(data: Uint8Array, ec: Uint8Array): void {
  const n = ec.length;
  const gen = generatorLogs(n);
  ec.fill(0);
  for (let i = 0; i < data.length; i++) {
    const factor = data[i]! ^ ec[0]!;
    ec.copyWithin(0, 1);
    ec[n - 1] = 0;
    if (factor === 0) continue;
    const lf = LOG[factor]!;
    for (let j = 0; j < n; j++) {
      const g = gen[j]!;
      if (g >= 0) ec[j]! ^= EXP[lf + g]!;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Per-version templates.

interface Template {
  version: number;
  size: number;
  /** 32-bit words per row (and per column). */
  words: number;
  /** Function patterns, row by row (bit j of a row is column j) and column by column. */
  rows: Int32Array;
  cols: Int32Array;
  /** The data modules in placement order: word index and bit, in rows and in columns. */
  rowWord: Uint16Array;
  rowBit: Uint8Array;
  colWord: Uint16Array;
  colBit: Uint8Array;
  /** Per mask pattern: the modules it flips plus that mask's format information, to XOR in. */
  maskRows: Int32Array[];
  maskCols: Int32Array[];
  /** Valid positions of a row or column: a window of 2, 5 and 11 modules starting there. */
  valid2: Int32Array;
  valid5: Int32Array;
  valid11: Int32Array;
}

/**
 * Which of the eight mask patterns flip the module at row `i`, column `j`: bit p set when
 * pattern p does (§7.8.2, Table 10; i and j ≥ 0, so ⌊i/2⌋ is i >> 1).
 */
function maskBits(i: number, j: number): number {
  const sum = i + j;
  const product = i * j;
  const p56 = (product & 1) + (product % 3);
  return (
    (sum & 1 ? 0 : 0x01) |
    (i & 1 ? 0 : 0x02) |
    (j % 3 === 0 ? 0x04 : 0) |
    (sum % 3 === 0 ? 0x08 : 0) |
    (((i >> 1) + ((j / 3) | 0)) & 1 ? 0 : 0x10) |
    (p56 === 0 ? 0x20 : 0) |
    (p56 & 1 ? 0 : 0x40) |
    (((product % 3) + (sum & 1)) & 1 ? 0 : 0x80)
  );
}

/** The 15 format bits for level M and mask `p` (§7.9.1: BCH(15, 5), XOR 101010000010010). */
export function formatBitsM(p: number): number {
  const G15 = 0b10100110111;
  const data = (0b00 << 3) | p; // level M is 00
  let d = data << 10;
  for (let bit = 14; bit >= 10; bit--) if ((d >> bit) & 1) d ^= G15 << (bit - 10);
  return ((data << 10) | d) ^ 0b101010000010010;
}

/** The 18 version bits (§7.10: BCH(18, 6)), versions 7 and above. */
function versionBits(version: number): number {
  const G18 = 0b1111100100101;
  let d = version << 12;
  for (let bit = 17; bit >= 12; bit--) if ((d >> bit) & 1) d ^= G18 << (bit - 12);
  return (version << 12) | d;
}

/** Centres of the alignment patterns on each axis (§6.3.6, Annex E), as the library lists them. */
function alignmentCoords(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const size = sizeOf(version);
  const step = size === 145 ? 26 : Math.ceil((size - 13) / (2 * count - 2)) * 2;
  const coords = [size - 7];
  for (let i = 1; i < count - 1; i++) coords[i] = coords[i - 1]! - step;
  coords.push(6);
  return coords.reverse();
}

/** The row and column of format bit `i` in its two copies (§7.9.1, Figure 25). */
function formatPositions(size: number, i: number): [[number, number], [number, number]] {
  const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
  const col = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 15 - i - 1;
  return [
    [row, 8],
    [8, col],
  ];
}

const templates = new Map<number, Template>();

function templateFor(version: number): Template {
  let t = templates.get(version);
  if (!t) {
    t = buildTemplate(version);
    templates.set(version, t);
  }
  return t;
}

function buildTemplate(version: number): Template {
  const size = sizeOf(version);
  const words = (size + 31) >> 5;
  const dark = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (r: number, c: number, v: boolean): void => {
    dark[r * size + c] = v ? 1 : 0;
    reserved[r * size + c] = 1;
  };
  // Finder patterns and their separators (§6.3.3), in the three corners.
  for (const [row, col] of [
    [0, 0],
    [size - 7, 0],
    [0, size - 7],
  ] as const) {
    for (let r = -1; r <= 7; r++) {
      if (row + r < 0 || row + r >= size) continue;
      for (let c = -1; c <= 7; c++) {
        if (col + c < 0 || col + c >= size) continue;
        const ring =
          (r >= 0 && r <= 6 && (c === 0 || c === 6)) || (c >= 0 && c <= 6 && (r === 0 || r === 6));
        set(row + r, col + c, ring || (r >= 2 && r <= 4 && c >= 2 && c <= 4));
      }
    }
  }
  // Timing patterns (§6.3.5).
  for (let r = 8; r < size - 8; r++) {
    set(r, 6, r % 2 === 0);
    set(6, r, r % 2 === 0);
  }
  // Alignment patterns (§6.3.6), except where the finders are; drawn over the timing patterns.
  const coords = alignmentCoords(version);
  const last = coords.length - 1;
  for (let i = 0; i <= last; i++) {
    for (let j = 0; j <= last; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) continue;
      const row = coords[i]!;
      const col = coords[j]!;
      for (let r = -2; r <= 2; r++) {
        for (let c = -2; c <= 2; c++) {
          set(row + r, col + c, r === -2 || r === 2 || c === -2 || c === 2 || (r === 0 && c === 0));
        }
      }
    }
  }
  // Format areas (light here: each mask brings its bits) and the dark module (§7.9.1).
  for (let i = 0; i < 15; i++) for (const [r, c] of formatPositions(size, i)) set(r, c, false);
  set(size - 8, 8, true);
  // Version information (§7.10), versions 7 and above: two 6 × 3 blocks.
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const r = Math.floor(i / 3);
      const c = (i % 3) + size - 11;
      set(r, c, ((bits >> i) & 1) === 1);
      set(c, r, ((bits >> i) & 1) === 1);
    }
  }

  // One pass: the function patterns and, for every other module, the patterns that flip it.
  const rows = new Int32Array(size * words);
  const cols = new Int32Array(size * words);
  const maskRows = Array.from({ length: 8 }, () => new Int32Array(size * words));
  const maskCols = Array.from({ length: 8 }, () => new Int32Array(size * words));
  const setIn = (inRows: Int32Array, inCols: Int32Array, r: number, c: number): void => {
    inRows[r * words + (c >> 5)]! |= 1 << (c & 31);
    inCols[c * words + (r >> 5)]! |= 1 << (r & 31);
  };
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const k = r * size + c;
      if (reserved[k] === 1) {
        if (dark[k] === 1) setIn(rows, cols, r, c);
        continue;
      }
      const flips = maskBits(r, c);
      for (let p = 0; p < 8; p++) if ((flips >> p) & 1) setIn(maskRows[p]!, maskCols[p]!, r, c);
    }
  }
  // Each mask's format bits go with it (the format areas are reserved, never flipped).
  for (let p = 0; p < 8; p++) {
    const bits = formatBitsM(p);
    for (let i = 0; i < 15; i++) {
      if (((bits >> i) & 1) === 0) continue;
      for (const [r, c] of formatPositions(size, i)) setIn(maskRows[p]!, maskCols[p]!, r, c);
    }
  }

  // The data modules in placement order (§7.7.3): two-column strips from the right, upwards
  // then downwards, skipping the vertical timing column.
  const order: number[] = [];
  let up = true;
  for (let right = size - 1; right > 0; right -= 2) {
    if (right === 6) right = 5;
    for (let k = 0; k < size; k++) {
      const r = up ? size - 1 - k : k;
      for (let c = right; c > right - 2; c--)
        if (reserved[r * size + c] === 0) order.push(r * size + c);
    }
    up = !up;
  }
  if (order.length >> 3 !== totalCodewords(version)) throw new Error('QR template mismatch');
  const rowWord = new Uint16Array(order.length);
  const rowBit = new Uint8Array(order.length);
  const colWord = new Uint16Array(order.length);
  const colBit = new Uint8Array(order.length);
  order.forEach((k, n) => {
    const r = Math.floor(k / size);
    const c = k % size;
    rowWord[n] = r * words + (c >> 5);
    rowBit[n] = c & 31;
    colWord[n] = c * words + (r >> 5);
    colBit[n] = r & 31;
  });

  const validFor = (window: number): Int32Array => {
    const out = new Int32Array(words);
    for (let c = 0; c <= size - window; c++) out[c >> 5]! |= 1 << (c & 31);
    return out;
  };
  return {
    version,
    size,
    words,
    rows,
    cols,
    rowWord,
    rowBit,
    colWord,
    colBit,
    maskRows,
    maskCols,
    valid2: validFor(2),
    valid5: validFor(5),
    valid11: validFor(11),
  };
}

// ---------------------------------------------------------------------------------------------
// Data codewords (§7.4) and their interleaving with error correction (§7.6).

/** The smallest version holding `length` characters of `mode` at level M, or 0 if none does. */
export function versionFor(mode: QrMode, length: number): number {
  for (let v = 1; v <= 40; v++) if (length <= capacity(v, mode)) return v;
  return 0;
}

/** The data codewords of one segment, with terminator and padding (§7.4.9, §7.4.10). */
function dataCodewordsOf(mode: QrMode, payload: string | Uint8Array, version: number): Uint8Array {
  const out = new Uint8Array(dataCodewords(version));
  let at = 0; // bytes written
  let acc = 0; // pending bits, at most 7 + 11
  let pending = 0;
  const put = (value: number, bits: number): void => {
    acc = (acc << bits) | value;
    pending += bits;
    while (pending >= 8) {
      pending -= 8;
      out[at++] = (acc >>> pending) & 0xff;
    }
    acc &= (1 << pending) - 1;
  };
  put(MODE_BITS[mode], 4);
  put(payload.length, countBits(mode, version));
  if (typeof payload === 'string') {
    let i = 0;
    for (; i + 2 <= payload.length; i += 2) {
      put(
        ALPHANUMERIC_VALUE[payload.charCodeAt(i)]! * 45 +
          ALPHANUMERIC_VALUE[payload.charCodeAt(i + 1)]!,
        11,
      );
    }
    if (i < payload.length) put(ALPHANUMERIC_VALUE[payload.charCodeAt(i)]!, 6);
  } else {
    for (let i = 0; i < payload.length; i++) put(payload[i]!, 8);
  }
  // Terminator (up to 4 zero bits), then zeros to a byte boundary, then 0xEC 0x11 alternately.
  const room = out.length * 8 - (at * 8 + pending);
  if (room >= 4) put(0, 4);
  if (pending > 0) put(0, 8 - pending);
  for (let pad = 0; at < out.length; pad++) out[at++] = pad % 2 === 0 ? 0xec : 0x11;
  return out;
}

/** The final codeword sequence: data blocks interleaved, then their error correction blocks. */
function interleaved(data: Uint8Array, version: number): Uint8Array {
  const total = totalCodewords(version);
  const blocks = BLOCKS_M[version - 1]!;
  const inGroup2 = total % blocks;
  const inGroup1 = blocks - inGroup2;
  const short = Math.floor(data.length / blocks); // data codewords of a group-1 block
  const ecCount = Math.floor(total / blocks) - short;
  const out = new Uint8Array(total);
  const ec = new Uint8Array(ecCount);
  let offset = 0;
  for (let b = 0; b < blocks; b++) {
    const length = b < inGroup1 ? short : short + 1;
    const block = data.subarray(offset, offset + length);
    offset += length;
    // Data codeword i of block b goes to i·blocks + b, except the group-2 blocks' extra last one.
    for (let i = 0; i < short; i++) out[i * blocks + b] = block[i]!;
    if (length > short) out[short * blocks + (b - inGroup1)] = block[short]!;
    reedSolomon(block, ec);
    for (let i = 0; i < ecCount; i++) out[data.length + i * blocks + b] = ec[i]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The mask search on words (§7.8.3), with the library's rules (N1–N4 as its mask-pattern.js
// counts them, which differ from the standard's letter in places: N3 counts 11-module windows).

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * N1 (runs of five or more: 3 + the length beyond five) and N3 (1:1:3:1:1 with four light
 * modules on one side, in an 11-module window) of every line in `lines` (rows or columns).
 * A run of L ≥ 5 holds L − 4 windows of five equal modules and starts once: L − 2 points is the
 * windows plus 2 per start.
 */
function linePoints(lines: Int32Array, t: Template): number {
  const { size, words, valid5, valid11 } = t;
  let points = 0;
  for (let line = 0; line < size; line++) {
    const at = line * words;
    let carry = 0; // the last word's five-window bits, for run starts across words
    for (let w = 0; w < words; w++) {
      const x = lines[at + w]!;
      const y = w + 1 < words ? lines[at + w + 1]! : 0;
      // s_k: bit c is module c + k.
      const s1 = (x >>> 1) | (y << 31);
      const s2 = (x >>> 2) | (y << 30);
      const s3 = (x >>> 3) | (y << 29);
      const s4 = (x >>> 4) | (y << 28);
      const all = x & s1 & s2 & s3 & s4;
      const none = ~(x | s1 | s2 | s3 | s4);
      const five = (all | none) & valid5[w]!;
      const starts = five & ~((five << 1) | (carry >>> 31));
      carry = five;
      points += popcount(five) + 2 * popcount(starts);
      const v11 = valid11[w]!;
      if (v11 === 0) continue;
      const s5 = (x >>> 5) | (y << 27);
      const s6 = (x >>> 6) | (y << 26);
      const s7 = (x >>> 7) | (y << 25);
      const s8 = (x >>> 8) | (y << 24);
      const s9 = (x >>> 9) | (y << 23);
      const s10 = (x >>> 10) | (y << 22);
      const core = s4 & ~s5 & s6;
      const before = x & ~s1 & s2 & s3 & ~(s7 | s8 | s9 | s10); // 1011101 0000
      const after = ~(x | s1 | s2 | s3) & s7 & s8 & ~s9 & s10; // 0000 1011101
      points += 40 * popcount(core & (before | after) & v11);
    }
  }
  return points;
}

/** N2 (3 points per 2×2 block of one colour) and the dark module count, from the rows. */
function blockPoints(rows: Int32Array, t: Template): { blocks: number; dark: number } {
  const { size, words, valid2 } = t;
  let blocks = 0;
  let dark = 0;
  for (let r = 0; r < size; r++) {
    const at = r * words;
    for (let w = 0; w < words; w++) {
      const a = rows[at + w]!;
      dark += popcount(a);
      if (r === size - 1) continue;
      const b = rows[at + words + w]!;
      const same = ~(a ^ b); // column c equal in both rows
      const nextSame = w + 1 < words ? ~(rows[at + w + 1]! ^ rows[at + words + w + 1]!) : 0;
      const an = w + 1 < words ? rows[at + w + 1]! : 0;
      const sameRight = (same >>> 1) | (nextSame << 31);
      const flat = ~(a ^ ((a >>> 1) | (an << 31)));
      blocks += popcount(same & sameRight & flat & valid2[w]!);
    }
  }
  return { blocks, dark };
}

/** N1 + N2 + N3 + N4 of a masked symbol; stops early once it reaches `bound`. */
function penalty(rows: Int32Array, cols: Int32Array, t: Template, bound: number): number {
  const { blocks, dark } = blockPoints(rows, t);
  const cells = t.size * t.size;
  let points = 3 * blocks + Math.abs(Math.ceil((dark * 100) / cells / 5) - 10) * 10;
  points += linePoints(rows, t);
  if (points >= bound) return points;
  return points + linePoints(cols, t);
}

// ---------------------------------------------------------------------------------------------

/** The modules of a QR code, with the version and mask chosen. */
export interface QrSymbol {
  version: number;
  size: number;
  mask: number;
  /** `size × size` cells row by row, 1 = dark. */
  modules: Uint8Array;
}

/**
 * Encodes one segment at level M in the smallest version that holds it, with the mask of lowest
 * penalty (the first of equals): the `qrcode` library's symbol for
 * `[{ data, mode }]` and `errorCorrectionLevel: 'M'`. `mode` 'alphanumeric' needs a string of
 * alphanumeric characters (check with isAlphanumeric); 'byte' takes bytes.
 * @throws RangeError when the data is too long for any version (or not alphanumeric).
 */
export function encodeQr(data: string | Uint8Array, mode: QrMode): QrSymbol {
  if (mode === 'alphanumeric' && (typeof data !== 'string' || !isAlphanumeric(data))) {
    throw new RangeError('encodeQr: data is not alphanumeric text');
  }
  if (mode === 'byte' && typeof data === 'string')
    throw new RangeError('encodeQr: byte mode takes bytes');
  const version = versionFor(mode, data.length);
  if (version === 0) throw new RangeError(`encodeQr: ${data.length} characters fit no QR version`);
  const t = templateFor(version);
  const codewords = interleaved(dataCodewordsOf(mode, data, version), version);

  // The unmasked symbol: the template, then every dark data bit in placement order.
  const rows = t.rows.slice();
  const cols = t.cols.slice();
  const { rowWord, rowBit, colWord, colBit } = t;
  for (let i = 0; i < codewords.length; i++) {
    const byte = codewords[i]!;
    if (byte === 0) continue;
    for (let b = 0; b < 8; b++) {
      if ((byte >> (7 - b)) & 1) {
        const n = i * 8 + b;
        rows[rowWord[n]!]! |= 1 << rowBit[n]!;
        cols[colWord[n]!]! |= 1 << colBit[n]!;
      }
    }
  }

  const maskedRows = new Int32Array(rows.length);
  const maskedCols = new Int32Array(cols.length);
  let best = 0;
  let lowest = Infinity;
  for (let p = 0; p < 8; p++) {
    const mr = t.maskRows[p]!;
    const mc = t.maskCols[p]!;
    for (let k = 0; k < rows.length; k++) {
      maskedRows[k] = rows[k]! ^ mr[k]!;
      maskedCols[k] = cols[k]! ^ mc[k]!;
    }
    const points = penalty(maskedRows, maskedCols, t, lowest);
    if (points < lowest) {
      lowest = points;
      best = p;
    }
  }

  const { size, words } = t;
  const mr = t.maskRows[best]!;
  const modules = new Uint8Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let w = 0; w < words; w++) {
      const k = r * words + w;
      const word = rows[k]! ^ mr[k]!;
      if (word === 0) continue;
      const base = r * size + w * 32;
      const end = Math.min(32, size - w * 32);
      for (let c = 0; c < end; c++) modules[base + c] = (word >>> c) & 1;
    }
  }
  return { version, size, mask: best, modules };
}

/**
 * The fast encoder against the `qrcode` library (the oracle): the same modules, one module at a
 * time, for random payloads in every version 1–40 of the segments the apps encode (one
 * alphanumeric segment: `OP1:` and `OP1M:` base45 text) and of one byte segment, at level M.
 */
import { randomBytes } from '@offpay/crypto';
import { encodeBase45, QR_ALPHANUMERIC_CAPACITY_M, qrVersionFor } from '@offpay/protocol';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { encodeQr, isAlphanumeric, versionFor } from '../src/qr-encode.js';

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** A deterministic generator: failures reproduce. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function alphanumericText(length: number, next: () => number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHANUMERIC[Math.floor(next() * 45)]!;
  return text;
}

function theirs(data: string | Uint8Array, mode: 'alphanumeric' | 'byte') {
  const code = QRCode.create([{ data, mode } as QRCode.QRCodeSegment], {
    errorCorrectionLevel: 'M',
  });
  return {
    version: code.version,
    mask: code.maskPattern as number,
    modules: code.modules.data,
  };
}

function expectSame(data: string | Uint8Array, mode: 'alphanumeric' | 'byte'): void {
  const ours = encodeQr(data, mode);
  const lib = theirs(data, mode);
  expect({ version: ours.version, mask: ours.mask }).toEqual({
    version: lib.version,
    mask: lib.mask,
  });
  expect(ours.size).toBe(17 + 4 * lib.version);
  // toEqual on typed arrays reports the first differing module.
  expect(ours.modules).toEqual(lib.modules);
}

describe('encodeQr', () => {
  it('is the library code for base45 payments and animated parts of every size the apps make', () => {
    // A payment is ~360 bytes (version 15); single codes go up to version 25, parts to 400 chars.
    for (const n of [1, 2, 3, 20, 90, 200, 250, 300, 359, 360, 361, 375, 397, 500, 600, 700]) {
      expectSame(`OP1:${encodeBase45(randomBytes(n))}`, 'alphanumeric');
    }
    for (const chars of [160, 240, 395]) {
      expectSame(`OP1M:${encodeBase45(randomBytes(Math.floor((chars * 2) / 3)))}`, 'alphanumeric');
    }
  });

  it('is the library code at both ends of every version 1–40, alphanumeric', () => {
    const next = generator(1);
    for (let v = 1; v <= 40; v++) {
      const max = QR_ALPHANUMERIC_CAPACITY_M[v - 1]!;
      const min = v === 1 ? 1 : QR_ALPHANUMERIC_CAPACITY_M[v - 2]! + 1;
      for (const length of [min, max]) {
        const text = alphanumericText(length, next);
        expect(versionFor('alphanumeric', length)).toBe(v);
        expectSame(text, 'alphanumeric');
      }
    }
  });

  it('is the library code for many random payloads (all masks chosen at least once)', () => {
    const next = generator(2);
    const masks = new Set<number>();
    for (let i = 0; i < 160; i++) {
      // Mostly the apps' sizes (up to version 15 for payments and parts), a few beyond.
      const length = 1 + Math.floor(next() * (i % 10 === 0 ? 2000 : 620));
      const text = alphanumericText(length, next);
      expectSame(text, 'alphanumeric');
      masks.add(encodeQr(text, 'alphanumeric').mask);
    }
    expect([...masks].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('is the library code for one byte segment in every version 1–40', () => {
    const next = generator(3);
    const fits = (length: number, v: number) =>
      versionFor('byte', length) !== 0 && versionFor('byte', length) <= v;
    let length = 1;
    for (let v = 1; v <= 40; v++) {
      // The largest byte payload of version v: one more needs v + 1.
      while (fits(length + 1, v)) length++;
      const bytes = Uint8Array.from({ length }, () => Math.floor(next() * 256));
      expect(versionFor('byte', length)).toBe(v);
      expectSame(bytes, 'byte');
    }
  });

  it('uses the version qrVersionFor predicts for base45 text', () => {
    const text = `OP1:${encodeBase45(randomBytes(360))}`;
    expect(encodeQr(text, 'alphanumeric').version).toBe(qrVersionFor(text));
  });

  it('refuses text too long for version 40, and text that is not alphanumeric', () => {
    expect(() => encodeQr('A'.repeat(QR_ALPHANUMERIC_CAPACITY_M[39]! + 1), 'alphanumeric')).toThrow(
      RangeError,
    );
    expect(() => encodeQr(new Uint8Array(2332), 'byte')).toThrow(RangeError);
    expect(() => encodeQr('op1:abc', 'alphanumeric')).toThrow(RangeError);
    expect(isAlphanumeric('OP1:AB $%*+-./:09')).toBe(true);
    expect(isAlphanumeric('OP1:a')).toBe(false);
    expect(isAlphanumeric('OP1:É')).toBe(false);
  });
});

// @vitest-environment happy-dom
/**
 * QR framing end to end without a browser: the code drawn for a payload is rasterised to RGBA
 * pixels, read back with jsQR (the decoder the apps bundle) and decoded to the same bytes.
 */
import { randomBytes } from '@offpay/crypto';
import {
  decodeBase45,
  decodeQrText,
  encodeBase45,
  PartCollector,
  QR_PART_PREFIX,
  qrVersionFor,
} from '@offpay/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { formatBitsM } from '../src/qr-encode.js';
import { join } from 'node:path';
import {
  drawQr,
  qrMatrix,
  QUIET_ZONE_MODULES,
  renderQr,
  SINGLE_QR_MAX_VERSION,
} from '../src/qr.js';
import { decodeQrPixels } from '../src/scanner.js';

interface Raster {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Pure rasteriser: modules → RGBA, black on white, with a 4-module quiet zone. */
function rasterize(text: string, moduleSize = 4): Raster {
  const { size, modules } = qrMatrix(text);
  const side = (size + 2 * QUIET_ZONE_MODULES) * moduleSize;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const row = Math.floor(y / moduleSize) - QUIET_ZONE_MODULES;
      const col = Math.floor(x / moduleSize) - QUIET_ZONE_MODULES;
      if (row < 0 || col < 0 || row >= size || col >= size) continue;
      if (modules[row * size + col] === 0) continue;
      const i = (y * side + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 0;
    }
  }
  return { width: side, height: side, data };
}

/** A 2D context double that paints putImageData calls into an RGBA buffer. */
class PaintingContext {
  readonly raster: Raster;
  constructor(canvas: HTMLCanvasElement) {
    const { width, height } = canvas;
    this.raster = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  }
  createImageData(width: number, height: number): Raster {
    return { width, height, data: new Uint8ClampedArray(width * height * 4) };
  }
  putImageData(image: Raster, dx: number, dy: number): void {
    const { width, data } = this.raster;
    for (let y = 0; y < image.height; y++) {
      const row = image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4);
      data.set(row, ((y + dy) * width + dx) * 4);
    }
  }
}

const painted = new Map<HTMLCanvasElement, PaintingContext>();
beforeEach(() => {
  painted.clear();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (
    this: HTMLCanvasElement,
  ) {
    const ctx = new PaintingContext(this);
    painted.set(this, ctx);
    return ctx as unknown as CanvasRenderingContext2D;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** `raster` scaled up `factor` times without smoothing, as `image-rendering: pixelated` shows it. */
function pixelated(raster: Raster, factor: number): Raster {
  const width = raster.width * factor;
  const height = raster.height * factor;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const si = (Math.floor(y / factor) * raster.width + Math.floor(x / factor)) * 4;
      data.set(raster.data.subarray(si, si + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

/** What a camera reads off the canvas as the page shows it (scaled 4× by CSS). */
function readCanvas(canvas: HTMLCanvasElement): string | undefined {
  const raster = painted.get(canvas)?.raster;
  if (raster === undefined) throw new Error('canvas was never painted');
  const shown = pixelated(raster, 4);
  return decodeQrPixels(shown.data, shown.width, shown.height);
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (i * 7919 + 13) % (i + 1); // deterministic shuffle: failures reproduce
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('qrMatrix', () => {
  it('is the code the qrcode library makes for its segment, module for module (its mask choice)', () => {
    // Payload sizes from a tiny code to an animated part and a large single code, both modes.
    for (const n of [1, 20, 90, 200, 300, 360, 375, 397, 600, 900]) {
      for (const text of [`OP1:${encodeBase45(randomBytes(n))}`, `https://x.test/${n}?q=a`]) {
        const alphanumeric = text.startsWith('OP1:');
        // Other text is one byte segment of its UTF-8 (the library would also try mixed modes).
        const segment = alphanumeric
          ? { data: text, mode: 'alphanumeric' as const }
          : { data: new TextEncoder().encode(text), mode: 'byte' as const };
        const theirs = QRCode.create([segment], { errorCorrectionLevel: 'M' });
        const ours = qrMatrix(text);
        expect(ours.size).toBe(theirs.modules.size);
        expect(ours.modules).toEqual(theirs.modules.data);
      }
    }
  });

  it('writes the format bits of level M for each mask as ISO/IEC 18004 Table C.1 lists them', () => {
    const table = [0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0];
    expect(table.map((_, p) => formatBitsM(p))).toEqual(table);
  });

  it('encodes base45 text in alphanumeric mode (the version qrVersionFor predicts)', () => {
    const text = `OP1:${encodeBase45(randomBytes(375))}`;
    const { size } = qrMatrix(text);
    // Byte mode would need 8 bits per character and a much larger version.
    expect(size).toBe(17 + 4 * qrVersionFor(text));
  });
});

describe('renderQr, single code', () => {
  it('shows a 375-byte payload as one code that scans back to the same bytes', () => {
    const bytes = randomBytes(375);
    const view = renderQr(bytes, 'Payment QR code');
    expect(view.animated).toBe(false);
    expect(view.texts).toHaveLength(1);
    expect(qrVersionFor(view.texts[0]!)).toBeLessThanOrEqual(SINGLE_QR_MAX_VERSION);

    const canvas = view.element.querySelector('canvas')!;
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toBe('Payment QR code');
    expect(canvas.width % (qrMatrix(view.texts[0]!).size + 8)).toBe(0);
    const text = readCanvas(canvas);
    expect(text).toBe(view.texts[0]);
    expect(decodeQrText(text!)).toEqual(bytes);
    view.stop();
  });

  it('reads back from the pure rasteriser at the smallest module size', () => {
    const bytes = randomBytes(375);
    const [text] = renderQr(bytes, 'code').texts;
    const raster = rasterize(text!, 4);
    const read = decodeQrPixels(raster.data, raster.width, raster.height);
    expect(decodeQrText(read!)).toEqual(bytes);
  });

  it('paints one pixel per module, for the stylesheet to scale up without blurring', () => {
    const canvas = document.createElement('canvas');
    const text = `OP1:${encodeBase45(randomBytes(900))}`;
    drawQr(canvas, text);
    const size = qrMatrix(text).size;
    expect(canvas.width).toBe(size + 2 * QUIET_ZONE_MODULES);
    expect(canvas.height).toBe(canvas.width);
    // Scaled with smoothing, the modules would blur into grey and the code read badly.
    const css = readFileSync(join(import.meta.dirname, '../src/styles.css'), 'utf8');
    const rule = /canvas\.qr\s*\{([^}]*)\}/.exec(css)?.[1] ?? '';
    expect(rule).toMatch(/image-rendering:\s*pixelated/);
    expect(rule).toMatch(/width:\s*100%/);
  });
});

describe('renderQr, canvas reuse', () => {
  /** Codes never stopped: they take any spare canvases a previous test left. */
  const drainSpares = () => [0, 1, 2].map(() => renderQr(randomBytes(10), 'drain'));

  it("hands a stopped view's canvas to the next code, which then reads as the new code", () => {
    drainSpares();
    const first = renderQr(randomBytes(360), 'Payment request QR code');
    const canvas = first.element.querySelector('canvas')!;
    first.stop();
    const bytes = randomBytes(200);
    const next = renderQr(bytes, 'Receipt QR code');
    expect(next.element.querySelector('canvas')).toBe(canvas);
    expect(canvas.getAttribute('aria-label')).toBe('Receipt QR code');
    expect(canvas.width).toBe(qrMatrix(next.texts[0]!).size + 2 * QUIET_ZONE_MODULES);
    expect(decodeQrText(readCanvas(canvas)!)).toEqual(bytes);
  });

  it('never hands one canvas to two views, nor the canvas of a view still shown', () => {
    drainSpares();
    const shown = renderQr(randomBytes(100), 'code');
    const stopped = renderQr(randomBytes(100), 'code');
    const spare = stopped.element.querySelector('canvas');
    stopped.stop();
    stopped.stop(); // leaving twice releases it once
    const a = renderQr(randomBytes(100), 'code').element.querySelector('canvas');
    const b = renderQr(randomBytes(100), 'code').element.querySelector('canvas');
    expect(a).toBe(spare);
    expect(b).not.toBe(a);
    expect([a, b]).not.toContain(shown.element.querySelector('canvas'));
  });

  it('hands on the canvas of a stopped animation, whose timer no longer paints it', () => {
    vi.useFakeTimers();
    drainSpares();
    const animated = renderQr(randomBytes(3000), 'code', { frameMs: 100 });
    const canvas = animated.element.querySelector('canvas')!;
    animated.stop();
    const bytes = randomBytes(300);
    const next = renderQr(bytes, 'code');
    expect(next.element.querySelector('canvas')).toBe(canvas);
    vi.advanceTimersByTime(1000);
    expect(decodeQrText(readCanvas(canvas)!)).toEqual(bytes);
  });
});

describe('renderQr, animated', () => {
  it('cycles a 3 KB payload through parts that reassemble in any order', () => {
    vi.useFakeTimers();
    const bytes = randomBytes(3000);
    const view = renderQr(bytes, 'Settlement QR code', { frameMs: 250 });
    expect(view.animated).toBe(true);
    expect(view.texts.length).toBeGreaterThan(1);
    const canvas = view.element.querySelector('canvas')!;
    const caption = view.element.querySelector('figcaption')!;
    expect(caption.getAttribute('aria-live')).toBe('off');

    const seen: string[] = [];
    const widths = new Set<number>();
    for (let i = 0; i < view.texts.length; i++) {
      widths.add(canvas.width);
      expect(caption.textContent).toBe(`Part ${i + 1} of ${view.texts.length}`);
      const text = readCanvas(canvas);
      expect(text?.startsWith(QR_PART_PREFIX)).toBe(true);
      expect(qrVersionFor(text!)).toBeLessThanOrEqual(15);
      seen.push(text!);
      vi.advanceTimersByTime(250);
    }
    expect(caption.textContent).toBe(`Part 1 of ${view.texts.length}`);
    expect(seen).toEqual(view.texts);
    expect(widths.size).toBe(1); // the code does not jump around between frames

    const collector = new PartCollector();
    let payload: Uint8Array | undefined;
    for (const part of shuffled(seen)) payload = collector.add(part).payload;
    expect(payload).toEqual(bytes);

    view.stop();
    vi.advanceTimersByTime(1000);
    expect(caption.textContent).toBe(`Part 1 of ${view.texts.length}`);
  });

  it('stops animating once shown and taken off the page, even without stop()', () => {
    vi.useFakeTimers();
    const view = renderQr(randomBytes(3000), 'code', { frameMs: 100 });
    const caption = view.element.querySelector('figcaption')!;
    document.body.append(view.element);
    vi.advanceTimersByTime(100);
    expect(caption.textContent).toMatch(/^Part 2 of/);
    view.element.remove();
    vi.advanceTimersByTime(1000);
    expect(caption.textContent).toMatch(/^Part 2 of/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a sequence with a corrupted part', () => {
    const bytes = randomBytes(3000);
    const parts = renderQr(bytes, 'code').texts;
    const damaged = decodeBase45(parts[1]!.slice(QR_PART_PREFIX.length));
    damaged[damaged.length - 1]! ^= 0x01;
    parts[1] = QR_PART_PREFIX + encodeBase45(damaged);
    const collector = new PartCollector();
    expect(() => {
      for (const part of parts) collector.add(part);
    }).toThrow(expect.objectContaining({ code: 'PROTO_QR_CHECKSUM' }));
  });
});

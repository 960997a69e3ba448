// @vitest-environment happy-dom
/**
 * The scanner's logic in a DOM without a camera or a canvas: pictures and camera frames are RGBA
 * rasters of real codes (drawn from qrMatrix), decoded by the real jsQR.
 */
import { randomBytes } from '@offpay/crypto';
import { decodeBase45, encodeBase45, QR_PART_PREFIX } from '@offpay/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { qrMatrix, qrTextsFor, QUIET_ZONE_MODULES } from '../src/qr.js';
import {
  decodeQrPixels,
  ScanAssembler,
  scanImageFile,
  scanWithCamera,
  type ScanProgress,
  sourceRect,
} from '../src/scanner.js';

interface Raster {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** `text` as a black-on-white code with `moduleSize` px modules, centred in a `side` px image. */
function rasterize(text: string | undefined, side: number, moduleSize = 4, invert = false): Raster {
  const data = new Uint8ClampedArray(side * side * 4).fill(invert ? 0 : 255);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  if (text === undefined) return { width: side, height: side, data };
  const { size, modules } = qrMatrix(text);
  const offset = Math.floor((side - size * moduleSize) / 2);
  if (offset < QUIET_ZONE_MODULES * moduleSize) throw new Error('image too small for the code');
  for (let y = 0; y < size * moduleSize; y++) {
    for (let x = 0; x < size * moduleSize; x++) {
      const dark = modules[Math.floor(y / moduleSize) * size + Math.floor(x / moduleSize)] !== 0;
      const v = dark !== invert ? 0 : 255;
      const i = ((offset + y) * side + offset + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = v;
    }
  }
  return { width: side, height: side, data };
}

/** A picture as createImageBitmap would give it, holding its pixels. */
class FakeBitmap {
  closed = false;
  constructor(readonly raster: Raster) {}
  get width(): number {
    return this.raster.width;
  }
  get height(): number {
    return this.raster.height;
  }
  close(): void {
    this.closed = true;
  }
}

let videoFrame: () => Raster;

/** A 2D context double: drawImage scales (nearest neighbour) a bitmap or the video's frame. */
class PixelContext {
  data = new Uint8ClampedArray(0);
  constructor(readonly canvas: HTMLCanvasElement) {}
  drawImage(source: unknown, ...args: number[]): void {
    const src = source instanceof FakeBitmap ? source.raster : videoFrame();
    // drawImage(src, dx, dy, dw, dh) or drawImage(src, sx, sy, sw, sh, dx, dy, dw, dh).
    const [sx, sy, sw, sh, w, h] =
      args.length === 8
        ? [args[0]!, args[1]!, args[2]!, args[3]!, args[6]!, args[7]!]
        : [0, 0, src.width, src.height, args[2]!, args[3]!];
    this.data = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++) {
      const row = sy + Math.floor((y * sh) / h);
      for (let x = 0; x < w; x++) {
        const s = (row * src.width + sx + Math.floor((x * sw) / w)) * 4;
        this.data.set(src.data.subarray(s, s + 4), (y * w + x) * 4);
      }
    }
  }
  getImageData(): { data: Uint8ClampedArray } {
    return { data: this.data };
  }
}

const drawnSizes: number[] = [];
beforeEach(() => {
  drawnSizes.length = 0;
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (
    this: HTMLCanvasElement,
  ) {
    drawnSizes.push(Math.max(this.width, this.height));
    return new PixelContext(this) as unknown as CanvasRenderingContext2D;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

const single = (bytes: Uint8Array): string => qrTextsFor(bytes)[0]!;

function corrupt(part: string): string {
  const bytes = decodeBase45(part.slice(QR_PART_PREFIX.length));
  bytes[bytes.length - 1]! ^= 0x01;
  return QR_PART_PREFIX + encodeBase45(bytes);
}

describe('decodeQrPixels', () => {
  it('finds nothing in a blank image and the text of a drawn code', () => {
    const blank = rasterize(undefined, 200);
    expect(decodeQrPixels(blank.data, 200, 200)).toBeUndefined();
    const code = rasterize('OP1:ABC', 200);
    expect(decodeQrPixels(code.data, 200, 200)).toBe('OP1:ABC');
  });
});

describe('ScanAssembler', () => {
  it('returns a single code at once and skips foreign or garbled codes', () => {
    const bytes = randomBytes(100);
    const assembler = new ScanAssembler();
    expect(assembler.add('HTTPS://EXAMPLE.COM')).toBeUndefined();
    expect(assembler.add('OP1:@@@')).toBeUndefined();
    expect(assembler.add('OP1M:ZZZ')).toBeUndefined();
    expect(assembler.add(single(bytes))).toEqual({ payload: bytes });
  });

  it('collects animated parts in any order, reporting progress', () => {
    const bytes = randomBytes(3000);
    const parts = qrTextsFor(bytes);
    const assembler = new ScanAssembler();
    const order = [...parts].reverse();
    for (const [i, part] of order.slice(0, -1).entries()) {
      expect(assembler.add(part)).toEqual({ progress: { received: i + 1, total: parts.length } });
      expect(assembler.add(part)).toBeUndefined(); // the same frame again: nothing new to say
    }
    expect(assembler.add(order.at(-1)!)).toEqual({ payload: bytes });
  });

  it('switches to a new sequence when the screen shows another one', () => {
    const first = qrTextsFor(randomBytes(3000));
    const secondBytes = randomBytes(2000);
    const second = qrTextsFor(secondBytes);
    const assembler = new ScanAssembler();
    assembler.add(first[0]!);
    assembler.add(first[1]!);
    let result;
    for (const part of second) result = assembler.add(part);
    expect(result).toEqual({ payload: secondBytes });
  });

  it('refuses a completed sequence whose checksum does not match', () => {
    const parts = qrTextsFor(randomBytes(3000));
    parts[0] = corrupt(parts[0]!);
    const assembler = new ScanAssembler();
    expect(() => parts.forEach((p) => assembler.add(p))).toThrow(
      expect.objectContaining({ code: 'PROTO_QR_CHECKSUM' }),
    );
  });
});

describe('scanImageFile', () => {
  /** A picture file whose decoding gives `content` (or fails with it). */
  function picture(content: Raster | Error): { file: Blob; bitmap?: FakeBitmap } {
    const file = new Blob(['x'], { type: 'image/png' });
    if (content instanceof Error) {
      vi.stubGlobal(
        'createImageBitmap',
        vi.fn(() => Promise.reject(content)),
      );
      return { file };
    }
    const bitmap = new FakeBitmap(content);
    vi.stubGlobal(
      'createImageBitmap',
      vi.fn(() => Promise.resolve(bitmap)),
    );
    return { file, bitmap };
  }

  it('reads the payload of a screenshot of a single code and frees the bitmap', async () => {
    const bytes = randomBytes(375);
    const { file, bitmap } = picture(rasterize(single(bytes), 420));
    await expect(scanImageFile(file)).resolves.toEqual(bytes);
    expect(bitmap!.closed).toBe(true);
  });

  it('reads a white-on-black code too', async () => {
    const bytes = randomBytes(60);
    const { file } = picture(rasterize(single(bytes), 300, 4, true));
    await expect(scanImageFile(file)).resolves.toEqual(bytes);
  });

  it('scales a big photo down before decoding', async () => {
    const bytes = randomBytes(200);
    const { file } = picture(rasterize(single(bytes), 2400, 20));
    await expect(scanImageFile(file)).resolves.toEqual(bytes);
    expect(Math.max(...drawnSizes)).toBeLessThanOrEqual(1600);
  });

  it('refuses one part of an animated code, pointing to the camera', async () => {
    const [part] = qrTextsFor(randomBytes(3000));
    const { file } = picture(rasterize(part, 400));
    const error = await scanImageFile(file).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'APP_NO_QR_FOUND' });
    expect((error as Error).message).toMatch(/camera/);
  });

  it('says no code was found in a blank picture, a foreign code or a non-picture', async () => {
    await expect(scanImageFile(picture(rasterize(undefined, 300)).file)).rejects.toMatchObject({
      code: 'APP_NO_QR_FOUND',
    });
    const foreign = picture(rasterize('HTTPS://EXAMPLE.COM', 300)).file;
    await expect(scanImageFile(foreign)).rejects.toMatchObject({ code: 'APP_NO_QR_FOUND' });
    const notPicture = picture(new DOMException('bad image', 'InvalidStateError')).file;
    await expect(scanImageFile(notPicture)).rejects.toMatchObject({ code: 'APP_NO_QR_FOUND' });
  });
});

describe('sourceRect', () => {
  it('takes the whole frame, or its centre square to keep a held-up code sharp', () => {
    expect(sourceRect(1280, 720, false)).toEqual({ sx: 0, sy: 0, sw: 1280, sh: 720 });
    expect(sourceRect(1280, 720, true)).toEqual({ sx: 280, sy: 0, sw: 720, sh: 720 });
    expect(sourceRect(480, 640, true)).toEqual({ sx: 0, sy: 80, sw: 480, sh: 480 });
  });
});

describe('scanWithCamera', () => {
  const SIDE = 400;

  let shown = 0;

  function fakeCamera(frames: Raster[]): {
    stop: ReturnType<typeof vi.fn>;
    video: HTMLVideoElement;
  } {
    const stop = vi.fn();
    const stream = new MediaStream();
    Object.defineProperty(stream, 'getTracks', { value: () => [{ stop }] });
    vi.stubGlobal('navigator', {
      ...navigator,
      mediaDevices: { getUserMedia: vi.fn(() => Promise.resolve(stream)) },
    });
    shown = 0;
    videoFrame = () => frames[shown++ % frames.length]!;
    const video = document.createElement('video');
    vi.spyOn(video, 'play').mockResolvedValue(undefined);
    vi.spyOn(video, 'pause').mockReturnValue(undefined);
    Object.defineProperties(video, {
      readyState: { value: 4 },
      videoWidth: { value: SIDE },
      videoHeight: { value: SIDE },
    });
    return { stop, video };
  }

  it('reads an animated code shown in a loop, with progress, then stops the camera', async () => {
    const bytes = randomBytes(3000);
    const parts = qrTextsFor(bytes);
    const frames = [rasterize(undefined, SIDE), rasterize('HTTPS://EXAMPLE.COM', SIDE)];
    frames.push(...parts.map((p) => rasterize(p, SIDE)));
    const { stop, video } = fakeCamera(frames);
    const progress: ScanProgress[] = [];
    const result = await scanWithCamera(video, new AbortController().signal, (p) =>
      progress.push(p),
    );
    expect(result).toEqual(bytes);
    expect(progress.at(-1)).toEqual({ received: parts.length - 1, total: parts.length });
    expect(stop).toHaveBeenCalled();
    expect(video.srcObject).toBeNull();
    expect(video.muted).toBe(true);
    const framesRead = shown;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(shown).toBe(framesRead); // the frame loop has stopped too
  });

  it('rejects a misread sequence and stops the camera', async () => {
    const parts = qrTextsFor(randomBytes(3000));
    parts[1] = corrupt(parts[1]!);
    const { stop, video } = fakeCamera(parts.map((p) => rasterize(p, SIDE)));
    await expect(scanWithCamera(video, new AbortController().signal)).rejects.toMatchObject({
      code: 'PROTO_QR_CHECKSUM',
    });
    expect(stop).toHaveBeenCalled();
  });

  it('stops when aborted', async () => {
    const { stop, video } = fakeCamera([rasterize(undefined, SIDE)]);
    const controller = new AbortController();
    const scanning = scanWithCamera(video, controller.signal);
    setTimeout(() => controller.abort(), 150);
    await expect(scanning).rejects.toMatchObject({ name: 'AbortError' });
    expect(stop).toHaveBeenCalled();
  });

  it('reports a missing or refused camera as APP_CAMERA_UNAVAILABLE', async () => {
    const video = document.createElement('video');
    vi.stubGlobal('navigator', { ...navigator, mediaDevices: undefined });
    await expect(scanWithCamera(video, new AbortController().signal)).rejects.toMatchObject({
      code: 'APP_CAMERA_UNAVAILABLE',
    });
    const refused = new DOMException('Permission denied', 'NotAllowedError');
    vi.stubGlobal('navigator', {
      ...navigator,
      mediaDevices: { getUserMedia: () => Promise.reject(refused) },
    });
    await expect(scanWithCamera(video, new AbortController().signal)).rejects.toMatchObject({
      code: 'APP_CAMERA_UNAVAILABLE',
      details: { reason: 'NotAllowedError' },
    });
  });
});

/**
 * Reading QR codes with the bundled jsQR decoder: from the camera (getUserMedia → video → canvas
 * frames) and from an image file. Single `OP1:` codes and animated `OP1M:` sequences (collected
 * in any order with the protocol's PartCollector) both end as the payload bytes.
 */
import {
  decodeQrText,
  isAppError,
  PartCollector,
  QR_PART_PREFIX,
  QR_PREFIX,
} from '@offpay/protocol';
import jsQR from 'jsqr';
import { AppError } from './errors.js';

export interface ScanProgress {
  received: number;
  total: number;
}

/** Camera frames are scaled down to at most this many pixels on their longer side. */
export const MAX_FRAME_PX = 800;

/** Least time between two decoded camera frames (jsQR takes tens of ms on a phone). */
export const FRAME_INTERVAL_MS = 100;

// jsQR 1.4's 'onlyInvert' reads an inverted image it never computed (a TypeError): not offered.
type Inversion = 'dontInvert' | 'attemptBoth' | 'invertFirst';

/** QR texts found in RGBA pixels (jsQR). Exposed for tests. */
export function decodeQrPixels(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  inversion: Inversion = 'dontInvert',
): string | undefined {
  let code;
  try {
    code = jsQR(data, width, height, { inversionAttempts: inversion });
  } catch {
    return undefined; // a decoder failure on odd pixels is "no code here", not a crash
  }
  return code === null || code.data === '' ? undefined : code.data;
}

/** Turns scanned texts into a payload: one `OP1:` code, or all the parts of an `OP1M:` loop. */
export class ScanAssembler {
  readonly #collector = new PartCollector();
  #received = 0;

  /**
   * Feeds one scanned text. Returns the payload when complete, progress for a new part, or
   * undefined for a part already seen or an unrelated or unreadable code (keep scanning). A part
   * from another sequence starts over on that sequence (the screen in front of the camera
   * changed).
   * @throws PROTO_QR_CHECKSUM when a completed sequence does not match its checksum (the parts
   *   collected so far are dropped).
   */
  add(text: string): { payload: Uint8Array } | { progress: ScanProgress } | undefined {
    try {
      if (text.startsWith(QR_PREFIX)) return { payload: decodeQrText(text) };
      if (!text.startsWith(QR_PART_PREFIX)) return undefined;
      let result;
      try {
        result = this.#collector.add(text);
      } catch (e) {
        if (!isAppError(e, 'PROTO_QR_PART_MISMATCH')) throw e;
        this.#collector.reset();
        this.#received = 0;
        result = this.#collector.add(text);
      }
      if (result.payload !== undefined) return { payload: result.payload };
      if (result.received === this.#received) return undefined; // a part seen before
      this.#received = result.received;
      return { progress: { received: result.received, total: result.total } };
    } catch (e) {
      // A garbled or foreign code is not ours to refuse; a misread sequence is.
      if (!isAppError(e, 'PROTO_QR_CHECKSUM')) return undefined;
      this.#received = 0; // the collector has emptied itself
      throw e;
    }
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('Scanning stopped', 'AbortError');
}

async function openCamera(signal: AbortSignal): Promise<MediaStream> {
  if (typeof navigator === 'undefined' || navigator.mediaDevices?.getUserMedia === undefined) {
    throw new AppError('APP_CAMERA_UNAVAILABLE');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: 'environment' },
      audio: false,
    });
  } catch (e) {
    throw cameraError(e);
  }
  if (signal.aborted) {
    stopStream(stream);
    throw abortError(signal);
  }
  return stream;
}

/** APP_CAMERA_UNAVAILABLE with the browser's reason (NotAllowedError, NotFoundError …). */
function cameraError(e: unknown): AppError {
  const reason = e instanceof Error ? e.name : 'unknown';
  return new AppError('APP_CAMERA_UNAVAILABLE', undefined, { reason });
}

function stopStream(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

/** A 2D context for reading pixels (willReadFrequently keeps the canvas on the CPU). */
function pixelContext(
  width: number,
  height: number,
  code: 'APP_CAMERA_UNAVAILABLE' | 'APP_NO_QR_FOUND',
): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) throw new AppError(code, 'This browser cannot read pictures.');
  return ctx;
}

/** Dimensions of `width × height` scaled so the longer side is at most `max`. */
function fit(width: number, height: number, max: number): { w: number; h: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { w: Math.max(1, Math.round(width * scale)), h: Math.max(1, Math.round(height * scale)) };
}

/** The part of a video frame to decode: all of it, or its centre square. */
export function sourceRect(
  width: number,
  height: number,
  centre: boolean,
): { sx: number; sy: number; sw: number; sh: number } {
  if (!centre) return { sx: 0, sy: 0, sw: width, sh: height };
  const side = Math.min(width, height);
  return {
    sx: Math.floor((width - side) / 2),
    sy: Math.floor((height - side) / 2),
    sw: side,
    sh: side,
  };
}

/**
 * Scans with the camera into `video` until one payload is complete, then stops the camera.
 * Unrelated or garbled codes are skipped; every camera track and the frame loop stop on success,
 * failure or abort.
 * @throws AppError APP_CAMERA_UNAVAILABLE; AbortError when `signal` aborts; PROTO_QR_CHECKSUM for
 *   a misread sequence.
 */
export async function scanWithCamera(
  video: HTMLVideoElement,
  signal: AbortSignal,
  onProgress?: (p: ScanProgress) => void,
): Promise<Uint8Array> {
  if (signal.aborted) throw abortError(signal);
  const stream = await openCamera(signal);
  const assembler = new ScanAssembler();
  return new Promise<Uint8Array>((resolve, reject) => {
    let frame = 0;
    let last = 0;
    let ctx: CanvasRenderingContext2D | undefined;
    const finish = (fn: () => void): void => {
      cancelAnimationFrame(frame);
      signal.removeEventListener('abort', onAbort);
      stopStream(stream);
      video.pause();
      video.srcObject = null;
      fn();
    };
    const onAbort = (): void => finish(() => reject(abortError(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      video.muted = true;
      video.playsInline = true;
      video.setAttribute('playsinline', '');
      video.srcObject = stream;
    } catch (e) {
      finish(() => reject(cameraError(e)));
      return;
    }
    let cropCentre = false;
    const tick = (now: number): void => {
      frame = requestAnimationFrame(tick);
      if (now - last < FRAME_INTERVAL_MS || video.readyState < 2 || video.videoWidth === 0) return;
      last = now;
      try {
        // Every other frame reads only the centre square: a code held up to the camera sits
        // there, and without the edges it keeps more pixels per module under MAX_FRAME_PX.
        const source = sourceRect(video.videoWidth, video.videoHeight, (cropCentre = !cropCentre));
        const { w, h } = fit(source.sw, source.sh, MAX_FRAME_PX);
        if (ctx === undefined || ctx.canvas.width !== w || ctx.canvas.height !== h) {
          ctx = pixelContext(w, h, 'APP_CAMERA_UNAVAILABLE');
        }
        ctx.drawImage(video, source.sx, source.sy, source.sw, source.sh, 0, 0, w, h);
        const text = decodeQrPixels(ctx.getImageData(0, 0, w, h).data, w, h);
        const result = text === undefined ? undefined : assembler.add(text);
        if (result === undefined) return;
        if ('payload' in result) finish(() => resolve(result.payload));
        else onProgress?.(result.progress);
      } catch (e) {
        finish(() => reject(e instanceof Error ? e : new Error(String(e))));
      }
    };
    video.play().then(
      () => {
        if (!signal.aborted) frame = requestAnimationFrame(tick);
      },
      (e: unknown) => finish(() => reject(cameraError(e))),
    );
  });
}

/** Sizes tried on a picture: as is (up to 1600 px), then smaller when it is big. */
const IMAGE_SIDES = [1600, MAX_FRAME_PX];

/**
 * Decodes the single QR code in an image file (a screenshot or a photo of an `OP1:` code).
 * @throws AppError APP_NO_QR_FOUND when the file is not a picture, holds no offpay code, or holds
 *   one part of an animated code (those need the camera); PROTO_QR_INVALID for a damaged code.
 */
export async function scanImageFile(file: Blob): Promise<Uint8Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new AppError('APP_NO_QR_FOUND', 'The file is not a picture this browser can read.');
  }
  let text: string | undefined;
  try {
    text = findCodeInBitmap(bitmap);
  } finally {
    bitmap.close();
  }
  if (text === undefined) throw new AppError('APP_NO_QR_FOUND');
  if (text.startsWith(QR_PART_PREFIX)) {
    throw new AppError(
      'APP_NO_QR_FOUND',
      'This picture shows one part of an animated QR code: scan animated codes with the camera.',
      { animated: true },
    );
  }
  if (!text.startsWith(QR_PREFIX)) throw new AppError('APP_NO_QR_FOUND');
  return decodeQrText(text);
}

function findCodeInBitmap(bitmap: ImageBitmap): string | undefined {
  const longest = Math.max(bitmap.width, bitmap.height);
  const sides = IMAGE_SIDES.filter((side, i) => i === 0 || longest > side);
  const frames = sides.map((side) => {
    const { w, h } = fit(bitmap.width, bitmap.height, side);
    const ctx = pixelContext(w, h, 'APP_CAMERA_UNAVAILABLE');
    ctx.drawImage(bitmap, 0, 0, w, h);
    return { data: ctx.getImageData(0, 0, w, h).data, w, h };
  });
  // Dark-on-light first at every size (the common case, and the cheap one), then light-on-dark
  // ('invertFirst' also retries the plain image, which has already failed: a wasted scan only
  // when nothing is there at all).
  for (const inversion of ['dontInvert', 'invertFirst'] as const) {
    for (const { data, w, h } of frames) {
      const text = decodeQrPixels(data, w, h, inversion);
      if (text !== undefined) return text;
    }
  }
  return undefined;
}

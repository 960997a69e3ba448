/**
 * Rendering payloads as QR codes: one code when the bytes fit (`OP1:` text, version ≤
 * SINGLE_QR_MAX_VERSION at level M), otherwise an animated sequence of `OP1M:` parts cycling on
 * a timer. qr-encode.ts computes the module matrix (the `qrcode` library's, faster); we paint
 * it ourselves, one canvas pixel per module, and CSS scales the canvas up without smoothing
 * (`canvas.qr` in styles.css: `image-rendering: pixelated`) — no full-size raster is drawn in
 * JavaScript at all. Nothing is fetched.
 */
import {
  encodeQrText,
  QR_ALPHANUMERIC_CAPACITY_M,
  qrTextLength,
  splitIntoParts,
} from '@offpay/protocol';
import { encodeQr, isAlphanumeric } from './qr-encode.js';
import { h } from './ui.js';

/** Largest QR version shown as a single code (bigger codes are hard to scan from a phone). */
export const SINGLE_QR_MAX_VERSION = 25;

/** Text per animated part: at most 400 characters, a version-12 code at level M (65 modules). */
export const ANIMATED_CHARS_PER_PART = 400;

/** Time each animated part stays on screen. */
export const DEFAULT_FRAME_MS = 300;

/** White border around a code, in modules (ISO/IEC 18004 §6.3.8 asks for 4). */
export const QUIET_ZONE_MODULES = 4;

/** Opaque white and opaque black as RGBA bytes read as one 32-bit word (any byte order). */
const WHITE = 0xffffffff;
const BLACK = new Uint32Array(new Uint8Array([0, 0, 0, 255]).buffer)[0]!;

export interface QrView {
  /** The element to insert (a figure with the canvas and a caption "part 2 of 5" when animated). */
  element: HTMLElement;
  /** The QR texts shown: one, or the parts in order. */
  texts: string[];
  animated: boolean;
  /**
   * Call when leaving the screen: stops an animation timer and hands the canvas to the next code
   * rendered (the element is not to be shown again afterwards).
   */
  stop(): void;
}

/** The modules of a QR code: `size × size` cells, row by row, 1 = dark. */
export interface QrMatrix {
  size: number;
  modules: Uint8Array;
}

/**
 * The module matrix of `text` at error correction M (qr-encode.ts). Base45 text is encoded as
 * one alphanumeric-mode segment (5.5 bits per character), so the version is the one
 * `qrVersionFor` predicts; any other text as one byte segment of its UTF-8.
 * @throws RangeError when `text` is too long for any QR code.
 */
export function qrMatrix(text: string): QrMatrix {
  const { size, modules } = isAlphanumeric(text)
    ? encodeQr(text, 'alphanumeric')
    : encodeQr(new TextEncoder().encode(text), 'byte');
  return { size, modules };
}

/**
 * Paints `text` as a QR code on `canvas`: black modules on white, ONE canvas pixel per module
 * and a 4-module quiet zone (CSS scales it up, unsmoothed). Sets the canvas size. Does nothing
 * where there is no 2D context (test DOMs).
 */
export function drawQr(canvas: HTMLCanvasElement, text: string): void {
  const matrix = qrMatrix(text);
  paintMatrix(canvas, matrix, matrix.size);
}

// One pixel buffer per canvas width, reused by every code painted at that width (an animated
// sequence repaints 3 times a second): no allocation per paint.
const buffers = new Map<number, { image: ImageData; pixels: Uint32Array }>();

function bufferFor(ctx: CanvasRenderingContext2D, side: number) {
  let buffer = buffers.get(side);
  if (!buffer) {
    const image = ctx.createImageData(side, side);
    buffer = { image, pixels: new Uint32Array(image.data.buffer) };
    if (buffers.size >= 4) buffers.clear();
    buffers.set(side, buffer);
  }
  return buffer;
}

/**
 * Paints `matrix` centred in a square of `outerModules` modules (≥ its size) plus quiet zones,
 * one pixel per module; an animated sequence uses its largest part's size so the canvas never
 * changes size. One putImageData: painting full-size modules in JavaScript cost ~16 ms a code
 * at 4× CPU throttling (docs/PERFORMANCE.md "Devices").
 */
function paintMatrix(canvas: HTMLCanvasElement, matrix: QrMatrix, outerModules: number): void {
  const side = outerModules + 2 * QUIET_ZONE_MODULES;
  if (canvas.width !== side) canvas.width = side;
  if (canvas.height !== side) canvas.height = side;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { image, pixels } = bufferFor(ctx, side);
  pixels.fill(WHITE);
  const offset = QUIET_ZONE_MODULES + Math.floor((outerModules - matrix.size) / 2);
  const { size, modules } = matrix;
  for (let row = 0; row < size; row++) {
    const from = row * size;
    const to = (offset + row) * side + offset;
    for (let col = 0; col < size; col++) if (modules[from + col] !== 0) pixels[to + col] = BLACK;
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * The QR texts for `bytes`: one `OP1:` text when it fits a code of version ≤
 * SINGLE_QR_MAX_VERSION (and, when `maxCharsPerPart` is given, is no longer than it), otherwise
 * `OP1M:` parts of at most `maxCharsPerPart` characters (default ANIMATED_CHARS_PER_PART).
 * @throws PROTO_TOO_LARGE when the bytes exceed what an animated sequence carries.
 */
export function qrTextsFor(bytes: Uint8Array, maxCharsPerPart?: number): string[] {
  const length = qrTextLength(bytes.length);
  // Same rule as qrVersionFor(text) <= SINGLE_QR_MAX_VERSION, checked before encoding.
  const fits =
    length <= QR_ALPHANUMERIC_CAPACITY_M[SINGLE_QR_MAX_VERSION - 1]! &&
    (maxCharsPerPart === undefined || length <= maxCharsPerPart);
  if (fits) return [encodeQrText(bytes)];
  return splitIntoParts(bytes, maxCharsPerPart ?? ANIMATED_CHARS_PER_PART);
}

/**
 * Canvases of views that were stopped, for the next codes: a new canvas costs its backing store
 * and 2D context on the first paint (~0.4–4 ms at 4× throttling), a canvas painted before only
 * the copy of its pixels. A screen's code is rendered just before the screen is shown, in the
 * same task, so the canvas leaves the screen being left without a frame drawn in between.
 */
const spareCanvases: HTMLCanvasElement[] = [];
const MAX_SPARE_CANVASES = 2;

function canvasFor(label: string): HTMLCanvasElement {
  const canvas = spareCanvases.pop();
  if (canvas === undefined) return h('canvas', { class: 'qr', role: 'img', 'aria-label': label });
  canvas.setAttribute('aria-label', label);
  return canvas;
}

/** Builds the QR view of `bytes`. `label` is the canvas's accessible name. */
export function renderQr(
  bytes: Uint8Array,
  label: string,
  options?: { frameMs?: number; maxCharsPerPart?: number },
): QrView {
  const texts = qrTextsFor(bytes, options?.maxCharsPerPart);
  const canvas = canvasFor(label);
  let stopped = false;
  // Once only: a canvas handed out twice would show two codes in turn.
  const release = (): void => {
    if (stopped) return;
    stopped = true;
    if (spareCanvases.length < MAX_SPARE_CANVASES) spareCanvases.push(canvas);
  };
  if (texts.length === 1) {
    drawQr(canvas, texts[0]!);
    return {
      element: h('figure', { class: 'qr-view' }, canvas),
      texts,
      animated: false,
      stop: release,
    };
  }
  return animatedView(canvas, texts, options?.frameMs ?? DEFAULT_FRAME_MS, release);
}

function animatedView(
  canvas: HTMLCanvasElement,
  texts: string[],
  frameMs: number,
  release: () => void,
): QrView {
  // Matrices are computed on first display and kept: every later loop only repaints.
  const matrices: (QrMatrix | undefined)[] = [];
  const matrixAt = (i: number): QrMatrix => (matrices[i] ??= qrMatrix(texts[i]!));
  // Part 0 carries the longest chunk, so its code is the largest of the sequence.
  const outer = matrixAt(0).size;
  // aria-live off: announcing every frame would drown a screen reader.
  const caption = h('figcaption', { class: 'qr-caption', 'aria-live': 'off' });
  let index = 0;
  const show = (): void => {
    paintMatrix(canvas, matrixAt(index), outer);
    caption.textContent = `Part ${index + 1} of ${texts.length}`;
  };
  show();
  let shown = false;
  const timer = setInterval(() => {
    // A screen left without stop(): end the loop once the code has been shown and removed.
    if (canvas.isConnected) shown = true;
    else if (shown) return clearInterval(timer);
    index = (index + 1) % texts.length;
    show();
  }, frameMs);
  return {
    element: h('figure', { class: 'qr-view', 'data-animated': true }, canvas, caption),
    texts,
    animated: true,
    stop: () => {
      clearInterval(timer);
      release();
    },
  };
}

/**
 * Rendering payloads as QR codes: one code when the bytes fit (`OP1:` text, version ≤
 * SINGLE_QR_MAX_VERSION at level M), otherwise an animated sequence of `OP1M:` parts cycling on
 * a timer. Drawn on a canvas with the `qrcode` library; nothing is fetched.
 */

/** Largest QR version shown as a single code (bigger codes are hard to scan from a phone). */
export const SINGLE_QR_MAX_VERSION = 25;

export interface QrView {
  /** The element to insert (a figure with the canvas and a caption "part 2 of 5" when animated). */
  element: HTMLElement;
  /** The QR texts shown: one, or the parts in order. */
  texts: string[];
  animated: boolean;
  /** Stops an animation timer (call when leaving the screen). */
  stop(): void;
}

/** Builds the QR view of `bytes`. `label` is the canvas's accessible name. */
export function renderQr(bytes: Uint8Array, label: string, options?: { frameMs?: number; maxCharsPerPart?: number }): QrView {
  void bytes;
  void label;
  void options;
  throw new Error('app-kit: not implemented yet');
}

/**
 * Reading QR codes with the bundled jsQR decoder: from the camera (getUserMedia → video → canvas
 * frames) and from an image file. Single `OP1:` codes and animated `OP1M:` sequences (collected
 * in any order with the protocol's PartCollector) both end as the payload bytes.
 */

export interface ScanProgress {
  received: number;
  total: number;
}

/**
 * Scans with the camera into `video` until one payload is complete, then stops the camera.
 * @throws AppError APP_CAMERA_UNAVAILABLE; AbortError when `signal` aborts; PROTO_QR_* for a
 *   misread sequence.
 */
export function scanWithCamera(
  video: HTMLVideoElement,
  signal: AbortSignal,
  onProgress?: (p: ScanProgress) => void,
): Promise<Uint8Array> {
  void video;
  void signal;
  void onProgress;
  throw new Error('app-kit: not implemented yet');
}

/** Decodes the single QR code in an image file. @throws AppError APP_NO_QR_FOUND; PROTO_QR_INVALID */
export function scanImageFile(file: Blob): Promise<Uint8Array> {
  void file;
  throw new Error('app-kit: not implemented yet');
}

/** QR texts found in RGBA pixels (jsQR). Exposed for tests. */
export function decodeQrPixels(data: Uint8ClampedArray, width: number, height: number): string | undefined {
  void data;
  void width;
  void height;
  throw new Error('app-kit: not implemented yet');
}

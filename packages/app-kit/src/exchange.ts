/**
 * The two exchange panels both apps use, so every message can travel by QR or by file:
 * - `sendPanel`: the QR (single or animated), "Download file", "Copy text".
 * - `receivePanel`: "Scan with camera", "Scan a picture", "Open file" (+ drag and drop onto
 *   the panel), and a paste box; every path ends in `onPayload(bytes)` with the message bytes.
 * Inputs are bounded (MAX_FILE_CHARS); errors are shown in the panel in plain words.
 */
import type { FileMessageType, ReadableFields } from '@offpay/protocol';

export interface SendPanel {
  element: HTMLElement;
  stop(): void;
}

export function sendPanel(options: {
  type: FileMessageType;
  bytes: Uint8Array;
  /** Download name, e.g. "offpay-payment-2.50-EUR.json". */
  fileName: string;
  /** Human-readable fields written into the file beside the data. */
  readable?: ReadableFields;
  /** Accessible name of the QR, e.g. "Payment QR code". */
  label: string;
}): SendPanel {
  void options;
  throw new Error('app-kit: not implemented yet');
}

export interface ReceivePanel {
  element: HTMLElement;
  /** Stops the camera if it is running. */
  stop(): void;
}

export function receivePanel(options: {
  /** The file type accepted (a file of another type is refused with PROTO_FILE_WRONG_TYPE words). */
  type: FileMessageType;
  /** What the user is asked for, e.g. "Scan the payment request". */
  prompt: string;
  /** Called with the message bytes; a thrown error is shown in the panel in plain words. */
  onPayload: (bytes: Uint8Array) => void | Promise<void>;
}): ReceivePanel {
  void options;
  throw new Error('app-kit: not implemented yet');
}

/** Saves text as a file download (Blob + <a download>). */
export function downloadText(fileName: string, text: string): void {
  void fileName;
  void text;
  throw new Error('app-kit: not implemented yet');
}

/** Reads a picked or dropped file as text, refusing anything over MAX_FILE_CHARS. */
export function readFileText(file: Blob): Promise<string> {
  void file;
  throw new Error('app-kit: not implemented yet');
}

/**
 * Message bytes from pasted text: an offpay file (JSON), `OP1:` QR text, or a complete set of
 * `OP1M:` parts one per line.
 */
export function bytesFromText(text: string, type: FileMessageType): Uint8Array {
  void text;
  void type;
  throw new Error('app-kit: not implemented yet');
}

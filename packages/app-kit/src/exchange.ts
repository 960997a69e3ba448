/**
 * The two exchange panels both apps use, so every message can travel by QR or by file:
 * - `sendPanel`: the QR (single or animated), "Download file", "Copy text".
 * - `receivePanel`: "Scan with camera", "Scan a picture", "Open file" (+ drag and drop onto
 *   the panel), and a paste box; every path ends in `onPayload(bytes)` with the message bytes.
 * Inputs are bounded (MAX_FILE_CHARS); errors are shown in the panel in plain words.
 */
import {
  decodeFile,
  decodeQrText,
  encodeFile,
  MAX_FILE_CHARS,
  PartCollector,
  ProtocolError,
  QR_PART_PREFIX,
  QR_PREFIX,
} from '@offpay/protocol';
import type { FileMessageType, ReadableFields } from '@offpay/protocol';
import { AppError } from './errors.js';
import { renderQr } from './qr.js';
import { scanImageFile, scanWithCamera } from './scanner.js';
import { h, notice } from './ui.js';
import { describeError } from './wording.js';

/**
 * Largest file read, in bytes: MAX_FILE_CHARS characters of UTF-8 take at most 4 bytes each.
 * The character count is checked again once the file is read.
 */
export const MAX_FILE_BYTES = MAX_FILE_CHARS * 4;

let nextId = 0;
const uniqueId = (name: string): string => `offpay-${name}-${++nextId}`;

/** An error notice in plain words for any thrown value; `data-code` carries the stable code. */
export function errorNotice(error: unknown): HTMLElement {
  const { code, title, text } = describeError(error);
  const el = notice('error', title, text);
  el.dataset.code = code;
  return el;
}

export interface SendPanel {
  element: HTMLElement;
  stop(): void;
}

/** The panel that hands a message over: its QR code, "Download file" and "Copy text". */
/** Characters per part when the user asks for smaller codes: version 7-8 codes, few parts. */
export const SMALL_CHARS_PER_PART = 160;

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
  const { type, bytes, fileName, readable, label } = options;
  let qr = renderQr(bytes, label);
  const messages = h('div', { class: 'exchange-messages' });
  const download = (): void => {
    try {
      downloadText(fileName, encodeFile(type, bytes, readable));
    } catch (e) {
      messages.replaceChildren(errorNotice(e));
    }
  };
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(qr.texts.join('\n'));
      const text = qr.animated
        ? `All ${qr.texts.length} parts of the code, one per line: paste them together.`
        : 'Paste it into the other app.';
      messages.replaceChildren(notice('ok', 'Text copied', text));
    } catch {
      messages.replaceChildren(
        notice(
          'error',
          'Could not copy',
          'This browser did not allow copying: use "Download file".',
        ),
      );
    }
  };
  // A camera that cannot read a dense code reads a sequence of small ones (animated).
  const smaller = h(
    'button',
    { type: 'button', class: 'btn-secondary', 'aria-pressed': 'false' },
    'Smaller codes',
  );
  smaller.addEventListener('click', () => {
    const on = smaller.getAttribute('aria-pressed') !== 'true';
    const next = renderQr(bytes, label, on ? { maxCharsPerPart: SMALL_CHARS_PER_PART } : {});
    qr.stop();
    qr.element.replaceWith(next.element);
    qr = next;
    smaller.setAttribute('aria-pressed', String(on));
  });
  const element = h(
    'section',
    { class: 'exchange exchange-send', 'aria-label': label },
    qr.element,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn-primary', onclick: download }, 'Download file'),
      h(
        'button',
        { type: 'button', class: 'btn-secondary', onclick: () => void copy() },
        'Copy text',
      ),
      smaller,
    ),
    messages,
  );
  return { element, stop: () => qr.stop() };
}

export interface ReceivePanel {
  element: HTMLElement;
  /** Stops the camera if it is running. */
  stop(): void;
}

/** A file input dressed as a button: the label is its accessible name and its click target. */
function filePicker(text: string, accept: string, onFile: (file: File) => void): HTMLElement {
  const input = h('input', { type: 'file', accept, class: 'visually-hidden' });
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = ''; // picking the same file again must fire `change` again
    if (file !== undefined) onFile(file);
  });
  return h('label', { class: 'btn-secondary file-pick' }, text, input);
}

/** Message bytes from a picked or dropped file: pictures are scanned, anything else is read. */
async function bytesFromFile(file: File, type: FileMessageType): Promise<Uint8Array> {
  if (file.type.startsWith('image/')) return scanImageFile(file);
  return bytesFromText(await readFileText(file), type);
}

const isAbort = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

/**
 * The panel that takes a message in: camera, picture, file (picked or dropped on the panel) or
 * pasted text. Each ends in `onPayload(bytes)`; a thrown error (decoding or `onPayload`) is shown
 * in the panel in plain words, which stays usable. Inputs arriving while one is being handled are
 * ignored, so nothing is submitted twice.
 */
export function receivePanel(options: {
  /** The file type accepted (a file of another type is refused with PROTO_FILE_WRONG_TYPE words). */
  type: FileMessageType;
  /** What the user is asked for, e.g. "Scan the payment request". */
  prompt: string;
  /** Called with the message bytes; a thrown error is shown in the panel in plain words. */
  onPayload: (bytes: Uint8Array) => void | Promise<void>;
}): ReceivePanel {
  const { type, prompt, onPayload } = options;
  const messages = h('div', { class: 'exchange-messages' });
  let busy = false;
  let camera: AbortController | undefined;

  const submit = async (produce: () => Uint8Array | Promise<Uint8Array>): Promise<void> => {
    if (busy) return;
    busy = true;
    section.setAttribute('aria-busy', 'true');
    messages.replaceChildren();
    try {
      await onPayload(await produce());
    } catch (e) {
      messages.replaceChildren(errorNotice(e));
    } finally {
      busy = false;
      section.removeAttribute('aria-busy');
    }
  };
  const take = (produce: () => Uint8Array | Promise<Uint8Array>): void => {
    if (busy) return;
    camera?.abort();
    void submit(produce);
  };

  const video = h('video', {
    class: 'scan-video',
    muted: true,
    playsinline: true,
    'aria-label': 'Camera view',
  });
  const progress = h('p', { class: 'scan-progress', 'aria-live': 'polite' });
  const stopCamera = (): void => camera?.abort();
  const stopButton = h(
    'button',
    { type: 'button', class: 'btn-secondary', onclick: stopCamera },
    'Stop camera',
  );
  const cameraBox = h('div', { class: 'scan-camera', hidden: true }, video, progress, stopButton);
  const scanButton = h('button', { type: 'button', class: 'btn-primary' }, 'Scan with camera');
  const startCamera = (): void => {
    if (busy || camera !== undefined) return;
    const controller = new AbortController();
    camera = controller;
    messages.replaceChildren();
    progress.textContent = 'Point the camera at the QR code.';
    cameraBox.hidden = false;
    scanButton.hidden = true;
    stopButton.focus(); // the button pressed is gone: keep keyboard users in the panel
    const closed = (): void => {
      const hadFocus = cameraBox.contains(document.activeElement);
      camera = undefined;
      cameraBox.hidden = true;
      scanButton.hidden = false;
      if (hadFocus) scanButton.focus();
    };
    scanWithCamera(video, controller.signal, (p) => {
      progress.textContent = `Part ${p.received} of ${p.total}`;
    }).then(
      (bytes) => {
        closed();
        void submit(() => bytes);
      },
      (e: unknown) => {
        closed();
        if (!isAbort(e)) messages.replaceChildren(errorNotice(e));
      },
    );
  };
  scanButton.addEventListener('click', startCamera);

  const pasteId = uniqueId('paste');
  const pasteBox = h('textarea', {
    id: pasteId,
    class: 'paste-box',
    rows: 3,
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const promptId = uniqueId('prompt');
  const section: HTMLElement = h(
    'section',
    { class: 'exchange exchange-receive', 'aria-labelledby': promptId },
    h('p', { id: promptId, class: 'exchange-prompt' }, prompt),
    h(
      'div',
      { class: 'actions' },
      scanButton,
      filePicker('Scan a picture', 'image/*', (file) => take(() => scanImageFile(file))),
      filePicker('Open file', '.json,application/json,text/plain', (file) =>
        take(async () => bytesFromText(await readFileText(file), type)),
      ),
    ),
    cameraBox,
    h('p', { class: 'muted drop-hint' }, 'You can also drop a file or picture here.'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: pasteId }, 'Paste text'),
      pasteBox,
      h(
        'button',
        {
          type: 'button',
          class: 'btn-secondary',
          onclick: () => take(() => bytesFromText(pasteBox.value, type)),
        },
        'Use pasted text',
      ),
    ),
    messages,
  );
  addDropZone(section, (drop) => {
    if (drop instanceof File) take(() => bytesFromFile(drop, type));
    else take(() => bytesFromText(drop, type));
  });
  return { element: section, stop: stopCamera };
}

/** Makes `zone` accept a dropped file (or dropped text), marking it `.dragging` meanwhile. */
function addDropZone(zone: HTMLElement, onDrop: (drop: File | string) => void): void {
  zone.addEventListener('dragover', (event) => {
    event.preventDefault(); // without this the browser opens the file instead of dropping it
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const transfer = event.dataTransfer;
    const file = transfer?.files[0];
    if (file !== undefined) onDrop(file);
    else {
      const text = transfer?.getData('text/plain') ?? '';
      if (text !== '') onDrop(text);
    }
  });
}

/** Saves text as a file download (Blob + <a download>); the object URL is revoked afterwards. */
export function downloadText(
  fileName: string,
  text: string,
  mimeType: string = 'application/json',
): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on a later turn: some browsers start reading the URL only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Reads a picked or dropped file as text, refusing anything over MAX_FILE_CHARS.
 * @throws AppError APP_INPUT_TOO_LARGE (checked on the byte size before reading, then on the text).
 */
export async function readFileText(file: Blob): Promise<string> {
  if (file.size > MAX_FILE_BYTES) throw tooLarge(MAX_FILE_BYTES, file.size);
  const text = await file.text();
  if (text.length > MAX_FILE_CHARS) throw tooLarge(MAX_FILE_CHARS, text.length);
  return text;
}

function tooLarge(limit: number, actual: number): AppError {
  return new AppError('APP_INPUT_TOO_LARGE', undefined, { limit, actual });
}

/**
 * Message bytes from pasted text: an offpay file (JSON), `OP1:` QR text, or a complete set of
 * `OP1M:` parts one per line (any order, repeats allowed).
 * @throws AppError APP_INPUT_TOO_LARGE over MAX_FILE_CHARS; PROTO_FILE_INVALID,
 *   PROTO_FILE_WRONG_TYPE for a file; PROTO_QR_INVALID for other text or missing parts;
 *   PROTO_QR_PART_MISMATCH, PROTO_QR_CHECKSUM for mixed or damaged parts.
 */
export function bytesFromText(text: string, type: FileMessageType): Uint8Array {
  if (text.length > MAX_FILE_CHARS) throw tooLarge(MAX_FILE_CHARS, text.length);
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('{')) return decodeFile(trimmed, type).data;
  if (trimmed.startsWith(QR_PREFIX)) return decodeQrText(trimmed);
  if (trimmed.startsWith(QR_PART_PREFIX)) return collectParts(trimmed);
  throw new ProtocolError('PROTO_QR_INVALID', 'This text is not an offpay file or QR code text');
}

function collectParts(text: string): Uint8Array {
  const collector = new PartCollector();
  let progress = collector.progress();
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.trim() !== '') progress = collector.add(line);
  }
  if (progress.payload === undefined) {
    throw new ProtocolError(
      'PROTO_QR_INVALID',
      `Only ${progress.received} of the ${progress.total} parts of the animated code are here`,
      { received: progress.received, total: progress.total },
    );
  }
  return progress.payload;
}

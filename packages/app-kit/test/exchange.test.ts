// @vitest-environment happy-dom
import { randomBytes } from '@offpay/crypto';
import {
  decodeFile,
  encodeFile,
  encodeQrText,
  MAX_FILE_CHARS,
  ProtocolError,
  splitIntoParts,
} from '@offpay/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  bytesFromText,
  MAX_FILE_BYTES,
  readFileText,
  receivePanel,
  sendPanel,
} from '../src/exchange.js';
import { describeError } from '../src/wording.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  document.body.replaceChildren();
});

/** The control a label names, as a user (or Playwright's getByLabel) finds it. */
function byLabel<T extends HTMLElement>(root: HTMLElement, text: string): T {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
  if (label === undefined) throw new Error(`no label "${text}"`);
  const control = label.htmlFor
    ? root.querySelector(`#${label.htmlFor}`)
    : label.querySelector('input, textarea, select');
  if (control === null) throw new Error(`label "${text}" names no control`);
  return control as T;
}

function button(root: HTMLElement, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => b.textContent === name);
  if (found === undefined) throw new Error(`no button "${name}"`);
  return found;
}

function pickFile(input: HTMLInputElement, file: File): void {
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  input.dispatchEvent(new Event('change'));
}

function paste(root: HTMLElement, text: string): void {
  byLabel<HTMLTextAreaElement>(root, 'Paste text').value = text;
  button(root, 'Use pasted text').click();
}

/** A drag event carrying `transfer` (happy-dom's DragEvent is a plain Event). */
function dragEvent(type: string, transfer: DataTransfer): Event {
  const event = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'dataTransfer', { value: transfer });
  return event;
}

const alertIn = (root: HTMLElement): HTMLElement | null => root.querySelector('[role="alert"]');

describe('bytesFromText', () => {
  const bytes = randomBytes(300);

  it('reads an offpay file, even with a byte-order mark and blank lines around it', () => {
    expect(bytesFromText(encodeFile('payment', bytes, { amount: '2.50 EUR' }), 'payment')).toEqual(
      bytes,
    );
    expect(bytesFromText(`\uFEFF\n\n${encodeFile('payment', bytes)}\n`, 'payment')).toEqual(bytes);
  });

  it('reads single QR text and a full set of animated parts in any order', () => {
    expect(bytesFromText(`  ${encodeQrText(bytes)}\n`, 'payment')).toEqual(bytes);
    const big = randomBytes(3000);
    const parts = splitIntoParts(big, 400);
    const text = [...parts].reverse().join('\r\n') + `\n\n${parts[0]!}\n`;
    expect(bytesFromText(text, 'settlement-batch')).toEqual(big);
  });

  it('refuses animated parts with one missing', () => {
    const parts = splitIntoParts(randomBytes(3000), 400);
    expect(() => bytesFromText(parts.slice(1).join('\n'), 'payment')).toThrow(
      expect.objectContaining({
        code: 'PROTO_QR_INVALID',
        details: { received: parts.length - 1, total: parts.length },
      }),
    );
  });

  it('refuses a file holding another kind of message', () => {
    expect(() => bytesFromText(encodeFile('receipt', bytes), 'payment')).toThrow(
      expect.objectContaining({ code: 'PROTO_FILE_WRONG_TYPE' }),
    );
  });

  it('gives one stable code for any other text, short or long', () => {
    for (const text of ['', 'hello', 'op1:abc', 'x'.repeat(10_000)]) {
      expect(() => bytesFromText(text, 'payment')).toThrow(
        expect.objectContaining({ code: 'PROTO_QR_INVALID' }),
      );
    }
  });

  it('refuses text over MAX_FILE_CHARS before looking at it', () => {
    const text = `{${' '.repeat(MAX_FILE_CHARS)}`;
    expect(() => bytesFromText(text, 'payment')).toThrow(
      expect.objectContaining({ code: 'APP_INPUT_TOO_LARGE' }),
    );
  });
});

describe('readFileText', () => {
  it('reads a file as text', async () => {
    await expect(readFileText(new Blob(['{"offpay": 1}']))).resolves.toBe('{"offpay": 1}');
  });

  it('refuses a file too large before reading it', async () => {
    const text = vi.fn(() => Promise.resolve(''));
    const huge = { size: MAX_FILE_BYTES + 1, text } as unknown as Blob;
    await expect(readFileText(huge)).rejects.toMatchObject({ code: 'APP_INPUT_TOO_LARGE' });
    expect(text).not.toHaveBeenCalled();
  });
});

describe('receivePanel', () => {
  function mount(onPayload: (bytes: Uint8Array) => void | Promise<void>): HTMLElement {
    const panel = receivePanel({ type: 'payment', prompt: 'Scan the payment', onPayload });
    document.body.append(panel.element);
    return panel.element;
  }

  it('offers every way in under stable, accessible names', () => {
    const root = mount(() => {});
    expect(root.textContent).toContain('Scan the payment');
    expect(button(root, 'Scan with camera').type).toBe('button');
    expect(button(root, 'Use pasted text').type).toBe('button');
    const picture = byLabel<HTMLInputElement>(root, 'Scan a picture');
    expect([picture.type, picture.accept]).toEqual(['file', 'image/*']);
    const file = byLabel<HTMLInputElement>(root, 'Open file');
    expect([file.type, file.accept]).toEqual(['file', '.json,application/json,text/plain']);
    expect(byLabel(root, 'Paste text').tagName).toBe('TEXTAREA');
  });

  it('hands pasted text to onPayload as the message bytes', async () => {
    const bytes = randomBytes(375);
    const onPayload = vi.fn();
    const root = mount(onPayload);
    paste(root, encodeQrText(bytes));
    await vi.waitFor(() => expect(onPayload).toHaveBeenCalledWith(bytes));
    expect(alertIn(root)).toBeNull();
  });

  it('shows an error thrown by onPayload in plain words and stays usable', async () => {
    const refusal = new ProtocolError('PROTO_PAYMENT_DUPLICATE', 'duplicate', {
      paymentId: 'ab12',
      index: 12,
    });
    const onPayload = vi.fn<(b: Uint8Array) => void>().mockImplementationOnce(() => {
      throw refusal;
    });
    const root = mount(onPayload);
    paste(root, encodeQrText(randomBytes(40)));
    await vi.waitFor(() => expect(alertIn(root)).not.toBeNull());
    const { title, text } = describeError(refusal);
    expect(alertIn(root)!.textContent).toContain(title);
    expect(alertIn(root)!.textContent).toContain(text);
    expect(alertIn(root)!.textContent).not.toContain('PROTO_PAYMENT_DUPLICATE');
    expect(alertIn(root)!.dataset.code).toBe('PROTO_PAYMENT_DUPLICATE');

    const next = randomBytes(40);
    paste(root, encodeQrText(next));
    await vi.waitFor(() => expect(onPayload).toHaveBeenLastCalledWith(next));
    expect(alertIn(root)).toBeNull();
  });

  it('shows a decoding error without calling onPayload', async () => {
    const onPayload = vi.fn();
    const root = mount(onPayload);
    paste(root, 'hello');
    await vi.waitFor(() => expect(alertIn(root)?.dataset.code).toBe('PROTO_QR_INVALID'));
    expect(onPayload).not.toHaveBeenCalled();
  });

  it('ignores inputs while a payload is being handled (no double submit)', async () => {
    let finish = (): void => {};
    const onPayload = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
    );
    const root = mount(onPayload);
    const text = encodeQrText(randomBytes(40));
    paste(root, text);
    paste(root, text);
    pickFile(
      byLabel(root, 'Open file'),
      new File([encodeFile('payment', randomBytes(40))], 'p.json'),
    );
    await vi.waitFor(() => expect(onPayload).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(onPayload).toHaveBeenCalledTimes(1);
    expect(root.getAttribute('aria-busy')).toBe('true');

    finish();
    await vi.waitFor(() => expect(root.hasAttribute('aria-busy')).toBe(false));
    paste(root, text);
    await vi.waitFor(() => expect(onPayload).toHaveBeenCalledTimes(2));
  });

  it('opens a picked file, and refuses one of another type in plain words', async () => {
    const bytes = randomBytes(200);
    const onPayload = vi.fn();
    const root = mount(onPayload);
    const input = byLabel<HTMLInputElement>(root, 'Open file');
    pickFile(input, new File([encodeFile('receipt', bytes)], 'r.json'));
    await vi.waitFor(() => expect(alertIn(root)?.dataset.code).toBe('PROTO_FILE_WRONG_TYPE'));
    expect(onPayload).not.toHaveBeenCalled();

    pickFile(input, new File([encodeFile('payment', bytes)], 'p.json'));
    await vi.waitFor(() => expect(onPayload).toHaveBeenCalledWith(bytes));
  });

  it('takes a file dropped anywhere on the panel', async () => {
    const bytes = randomBytes(200);
    const onPayload = vi.fn();
    const root = mount(onPayload);
    const transfer = new DataTransfer();
    transfer.items.add(new File([encodeFile('payment', bytes)], 'p.json'));
    const over = dragEvent('dragover', transfer);
    root.dispatchEvent(over);
    expect(over.defaultPrevented).toBe(true); // or the browser would open the file itself
    expect(root.classList.contains('dragging')).toBe(true);
    root.dispatchEvent(dragEvent('drop', transfer));
    await vi.waitFor(() => expect(onPayload).toHaveBeenCalledWith(bytes));
    expect(root.classList.contains('dragging')).toBe(false);
  });

  it('scans pictures, picked or dropped, instead of reading them as text', async () => {
    const decode = vi.fn(() => Promise.reject(new DOMException('not decodable', 'EncodingError')));
    vi.stubGlobal('createImageBitmap', decode);
    const onPayload = vi.fn();
    const root = mount(onPayload);
    const photo = new File(['not really a png'], 'code.png', { type: 'image/png' });
    pickFile(byLabel(root, 'Scan a picture'), photo);
    await vi.waitFor(() => expect(alertIn(root)?.dataset.code).toBe('APP_NO_QR_FOUND'));
    const transfer = new DataTransfer();
    transfer.items.add(photo);
    root.dispatchEvent(dragEvent('drop', transfer));
    await vi.waitFor(() => expect(decode).toHaveBeenCalledTimes(2));
    expect(onPayload).not.toHaveBeenCalled();
  });

  it('explains a missing camera and brings the scan button back', async () => {
    vi.stubGlobal('navigator', { ...navigator, mediaDevices: undefined });
    const root = mount(vi.fn());
    const scan = button(root, 'Scan with camera');
    scan.click();
    await vi.waitFor(() => expect(alertIn(root)?.dataset.code).toBe('APP_CAMERA_UNAVAILABLE'));
    expect(scan.hidden).toBe(false);
    expect(document.activeElement).toBe(scan); // focus came back from the hidden Stop camera
    expect(button(root, 'Stop camera').closest('[hidden]')).not.toBeNull();
  });
});

describe('sendPanel', () => {
  function mount(bytes: Uint8Array): HTMLElement {
    const panel = sendPanel({
      type: 'payment',
      bytes,
      fileName: 'offpay-payment-2.50-EUR.json',
      readable: { amount: '2.50 EUR' },
      label: 'Payment QR code',
    });
    document.body.append(panel.element);
    return panel.element;
  }

  it('shows the QR as a labelled image with Download file and Copy text', () => {
    const root = mount(randomBytes(375));
    const canvas = root.querySelector('canvas')!;
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toBe('Payment QR code');
    // No QR text in attributes (tests and people read the picture).
    const names = [...canvas.attributes].map((a) => a.name).sort();
    expect(names).toEqual(['aria-label', 'class', 'height', 'role', 'width']);
    expect([button(root, 'Download file').type, button(root, 'Copy text').type]).toEqual([
      'button',
      'button',
    ]);
  });

  it('downloads the offpay file of the bytes and frees its URL', async () => {
    vi.useFakeTimers();
    const bytes = randomBytes(375);
    let blob: Blob | undefined;
    vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => {
      blob = b as Blob;
      return 'blob:offpay-test';
    });
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this);
    });
    button(mount(bytes), 'Download file').click();
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toBe('offpay-payment-2.50-EUR.json');
    expect(clicked[0]!.isConnected).toBe(false);
    expect(blob!.type).toBe('application/json');
    const file = decodeFile(await blob!.text(), 'payment');
    expect(file.data).toEqual(bytes);
    expect(file.readable).toEqual({ amount: '2.50 EUR' });
    vi.advanceTimersByTime(5000);
    expect(revoke).toHaveBeenCalledWith('blob:offpay-test');
  });

  it('switches a dense code to a sequence of smaller codes and back', async () => {
    const writeText = vi.fn((_text: string) => Promise.resolve());
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const bytes = randomBytes(375);
    const root = mount(bytes);
    const smaller = button(root, 'Smaller codes');
    expect(root.querySelector('figcaption')).toBeNull();
    smaller.click();
    expect(smaller.getAttribute('aria-pressed')).toBe('true');
    expect(root.querySelector('figcaption')?.textContent).toMatch(/^Part 1 of [3-9]$/);
    expect(root.querySelectorAll('canvas')).toHaveLength(1);
    button(root, 'Copy text').click();
    await vi.waitFor(() => expect(writeText).toHaveBeenCalled());
    const copied = writeText.mock.calls[0]![0];
    expect(copied.split('\n').length).toBeGreaterThan(2);
    expect(bytesFromText(copied, 'payment')).toEqual(bytes);
    smaller.click();
    expect(smaller.getAttribute('aria-pressed')).toBe('false');
    expect(root.querySelector('figcaption')).toBeNull();
  });

  it('copies the QR text so the other app can paste it, animated parts included', async () => {
    const writeText = vi.fn((_text: string) => Promise.resolve());
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const bytes = randomBytes(3000);
    const root = mount(bytes);
    button(root, 'Copy text').click();
    await vi.waitFor(() => expect(root.querySelector('[role="status"]')).not.toBeNull());
    const copied = writeText.mock.calls[0]![0];
    expect(copied.split('\n').length).toBeGreaterThan(1);
    expect(bytesFromText(copied, 'payment')).toEqual(bytes);
  });

  it('says so in the panel when copying is not allowed', async () => {
    const writeText = vi.fn(() => Promise.reject(new DOMException('denied', 'NotAllowedError')));
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const root = mount(randomBytes(100));
    button(root, 'Copy text').click();
    await vi.waitFor(() => expect(alertIn(root)?.textContent).toContain('Could not copy'));
  });
});

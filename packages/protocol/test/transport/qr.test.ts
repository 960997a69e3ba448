import fc from 'fast-check';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import {
  decodeQrText,
  encodeQrText,
  MAX_QR_BYTES,
  MAX_QR_TEXT_CHARS,
  QR_ALPHANUMERIC_CAPACITY_M,
  qrTextLength,
  qrVersionFor,
} from '../../src/transport/index.js';
import { expectCode } from '../expect-code.js';

const QR_ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/** The version the `qrcode` package picks at level M for `text` in alphanumeric mode only. */
function referenceVersion(text: string): number {
  return QRCode.create([{ data: text, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' })
    .version;
}

describe('single-code QR text', () => {
  it('starts with OP1: and uses only QR alphanumeric characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (bytes) => {
        const text = encodeQrText(bytes);
        expect(text.startsWith('OP1:')).toBe(true);
        expect(text).toMatch(QR_ALPHANUMERIC);
        expect(text).toHaveLength(qrTextLength(bytes.length));
        expect(decodeQrText(text)).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a scan with surrounding whitespace or a trailing newline', () => {
    expect([...decodeQrText('  OP1:BB8\r\n')]).toEqual([0x41, 0x42]);
  });

  it('keeps a leading base45 space after the prefix (it is data, not whitespace)', () => {
    expect(encodeQrText(Uint8Array.of(0, 36))).toBe('OP1: 00');
    expect([...decodeQrText('OP1: 00')]).toEqual([0, 36]);
  });

  it.each([
    ['op1:BB8', 'a lower-case prefix'],
    ['OP2:BB8', 'another protocol version'],
    ['OP1BB8', 'no colon'],
    ['BB8', 'no prefix'],
    ['OP1M:BB8', 'an animated part'],
    ['OP1:', 'no data'],
    ['OP1:   ', 'only whitespace after the prefix'],
    ['OP1:BB', 'a final pair worth more than 255'],
    ['OP1:bb8', 'lower-case base45'],
    ['OP1:BB 8', 'inner whitespace'],
    ['https://example.com/OP1:BB8', 'a URL'],
  ])('refuses %j (%s) as offpay QR text', (input) => {
    expectCode(() => decodeQrText(input), 'PROTO_QR_INVALID');
  });

  it('refuses a non-string scan result', () => {
    expectCode(() => decodeQrText(42 as unknown as string), 'PROTO_QR_INVALID');
  });

  it('refuses text longer than any QR code can hold, before decoding it', () => {
    const text = 'OP1:' + 'A'.repeat(MAX_QR_TEXT_CHARS - 3);
    expectCode(() => decodeQrText(text), 'PROTO_TOO_LARGE', {
      limit: MAX_QR_TEXT_CHARS,
      actual: MAX_QR_TEXT_CHARS + 1,
    });
  });

  it('encodes up to MAX_QR_BYTES and refuses one byte more', () => {
    const max = new Uint8Array(MAX_QR_BYTES).fill(0xff);
    const text = encodeQrText(max);
    expect(text.length).toBeLessThanOrEqual(MAX_QR_TEXT_CHARS);
    expect(decodeQrText(text)).toEqual(max);
    expectCode(() => encodeQrText(new Uint8Array(MAX_QR_BYTES + 1)), 'PROTO_TOO_LARGE');
  });

  it('refuses to encode nothing or a non-byte value', () => {
    expect(() => encodeQrText(new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeQrText([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('QR version sizing at error correction M', () => {
  it('has the capacity of every version 1..40 that the qrcode package uses', () => {
    expect(QR_ALPHANUMERIC_CAPACITY_M).toHaveLength(40);
    QR_ALPHANUMERIC_CAPACITY_M.forEach((capacity, i) => {
      expect(referenceVersion('A'.repeat(capacity))).toBe(i + 1);
      if (i < 39) expect(referenceVersion('A'.repeat(capacity + 1))).toBe(i + 2);
    });
  });

  it.each([1, 20, 21, 397, 599, 600, 601, 970, 971, 2000, 3391])(
    'picks the same version as the qrcode package for %i characters',
    (length) => {
      const text = ('OP1:' + 'Z'.repeat(length)).slice(0, length);
      expect(qrVersionFor(text)).toBe(referenceVersion(text));
    },
  );

  it('needs version 15 for 600 characters and version 16 for 601', () => {
    expect(qrVersionFor('A'.repeat(600))).toBe(15);
    expect(qrVersionFor('A'.repeat(601))).toBe(16);
  });

  it('fits a 397-byte payment in a version-15 code and a 398-byte one only in version 16', () => {
    expect(qrVersionFor(encodeQrText(new Uint8Array(397).fill(0xab)))).toBe(15);
    expect(qrVersionFor(encodeQrText(new Uint8Array(398).fill(0xab)))).toBe(16);
  });

  it('is never smaller than what the qrcode package needs for real QR texts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1200 }), (bytes) => {
        const text = encodeQrText(bytes);
        const auto = QRCode.create(text, { errorCorrectionLevel: 'M' }).version;
        expect(qrVersionFor(text)).toBe(referenceVersion(text));
        expect(auto).toBeLessThanOrEqual(qrVersionFor(text));
      }),
      { numRuns: 30 },
    );
  });

  it('refuses text beyond version 40 and characters QR alphanumeric mode cannot show', () => {
    expectCode(() => qrVersionFor('A'.repeat(3392)), 'PROTO_TOO_LARGE', { limit: 3391 });
    expect(() => qrVersionFor('op1:')).toThrow(RangeError);
  });
});

/**
 * What the bank writes for bytes Node's HTTP parser refused (issue #10 item 4): the bank's
 * `{code, message, details}` with the registry's status, `Connection: close`, a Content-Length that
 * is the body's — never Fastify's default `{"error", "message", "statusCode"}` body.
 */
import { BANK_ERRORS, errorBody } from '@offpay/api';
import { describe, expect, it } from 'vitest';
import { clientErrorAnswer } from '../../src/plugins/error-handler.js';

function parse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [
      l.slice(0, l.indexOf(':')).toLowerCase(),
      l.slice(l.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('clientErrorAnswer', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 'BANK_HEADERS_TOO_LARGE', { limitBytes: 8192 }],
    ['ERR_HTTP_REQUEST_TIMEOUT', 'BANK_REQUEST_TIMEOUT', { timeoutSeconds: 60 }],
    [
      'HPE_INVALID_METHOD',
      'BANK_BAD_REQUEST',
      { issues: [{ path: 'request', message: 'HPE_INVALID_METHOD' }] },
    ],
    ['', 'BANK_BAD_REQUEST', { issues: [{ path: 'request', message: 'unreadable' }] }],
  ] as const)('%s → %s', (code, bankCode, details) => {
    const raw = clientErrorAnswer({ code }, { maxHeaderBytes: 8192, timeoutSeconds: 60 });
    const { status, headers, body } = parse(raw);
    expect(status).toBe(BANK_ERRORS[bankCode].status);
    expect(headers['connection']).toBe('close');
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
    const parsed = errorBody.parse(JSON.parse(body));
    expect(parsed).toMatchObject({ code: bankCode, details });
    expect(BANK_ERRORS[bankCode].details.safeParse(parsed.details).success).toBe(true);
    expect(body).not.toMatch(/"statusCode"|"error":/);
  });
});

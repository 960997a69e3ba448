/**
 * The bank's structured logger (pino). Logs never contain keys, tokens, passwords or payment
 * plaintext (DESIGN.md §5 "Operations"): requests are logged without headers or bodies, and
 * anything that could still carry a secret is redacted by path as a second line of defence.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Paths redacted wherever they appear (pino `redact`, one wildcard level deep). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'secretKey',
  '*.secretKey',
];

/** Builds the logger; `destination` lets tests capture every line. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'offpay-bank' },
  };
  return destination ? pino(options, destination) : pino(options);
}

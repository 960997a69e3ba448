/**
 * JSON Web Tokens, HS256 only (RFC 7519, RFC 7515 §3.1 compact form, RFC 7518 §3.2 HMAC). Written
 * out instead of taken from a library so the rules are few and visible: one algorithm, a strict
 * header (`alg: none` and algorithm confusion are impossible), canonical base64url, a
 * constant-time signature comparison, and bounded input.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The claims of a bank access token. */
export interface AccessClaims {
  iss: string;
  aud: string;
  /** The user id. */
  sub: string;
  iat: number;
  exp: number;
  /** The user's token version when issued; logout everywhere bumps it. */
  ver: number;
}

/** Why a token was refused: `expired` is worth telling the client; the rest is just invalid. */
export type JwtFailure = 'malformed' | 'signature' | 'claims' | 'expired';

/** A refused token. */
export class JwtError extends Error {
  constructor(readonly reason: JwtFailure) {
    super(`token refused: ${reason}`);
    this.name = 'JwtError';
  }
}

/** True when `e` is a refused token (for `reason`, when given): matched by name, not class. */
export function isJwtError(e: unknown, reason?: JwtFailure): e is JwtError {
  if (typeof e !== 'object' || e === null) return false;
  const { name, reason: why } = e as { name?: unknown; reason?: unknown };
  return name === 'JwtError' && (reason === undefined || why === reason);
}

/** Tokens longer than this are refused before any parsing or hashing. */
export const MAX_TOKEN_LENGTH = 2048;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const HEADER_SEGMENT = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function b64(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

/** Strict base64url: only canonical encodings (no padding, no stray trailing bits). */
function fromB64(segment: string): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw new JwtError('malformed');
  return bytes;
}

function mac(input: string, secret: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(input).digest();
}

/** Signs `claims` with HMAC-SHA256 under `secret` (at least 32 bytes). */
export function signJwt(claims: AccessClaims, secret: Uint8Array): string {
  if (secret.length < 32) throw new RangeError('JWT secret must be at least 32 bytes');
  const body = `${HEADER_SEGMENT}.${b64(JSON.stringify(claims))}`;
  return `${body}.${mac(body, secret).toString('base64url')}`;
}

function parseJson(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(fromB64(segment).toString('utf8'));
  } catch {
    throw new JwtError('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new JwtError('malformed');
  return value as Record<string, unknown>;
}

function checkHeader(segment: string): void {
  const header = parseJson(segment);
  const keys = Object.keys(header).sort().join(',');
  // Exactly {alg: HS256, typ: JWT}: no "none", no RS/ES confusion, no kid/jku/jwk indirection.
  if (keys !== 'alg,typ' || header.alg !== 'HS256' || header.typ !== 'JWT')
    throw new JwtError('malformed');
}

function checkSignature(body: string, segment: string, secret: Uint8Array): void {
  const given = fromB64(segment);
  const expected = mac(body, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new JwtError('signature');
}

function checkClaims(c: Record<string, unknown>, expect: VerifyExpectations): AccessClaims {
  const int = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  const { iss, aud, sub, iat, exp, ver } = c;
  if (
    iss !== expect.issuer ||
    aud !== expect.audience ||
    typeof sub !== 'string' ||
    sub.length > 64
  ) {
    throw new JwtError('claims');
  }
  if (!int(iat) || !int(exp) || !int(ver) || exp <= iat) throw new JwtError('claims');
  const leeway = expect.leewaySeconds ?? JWT_LEEWAY_SECONDS;
  if (iat > expect.now + leeway) throw new JwtError('claims');
  if (exp <= expect.now - leeway) throw new JwtError('expired');
  return { iss, aud, sub, iat, exp, ver };
}

/** Clock skew tolerated on `iat` and `exp` unless a caller names another, in seconds. */
export const JWT_LEEWAY_SECONDS = 30;

/** What a valid token must say. `now` is Unix seconds. */
export interface VerifyExpectations {
  issuer: string;
  audience: string;
  now: number;
  /** Clock skew tolerated on `iat` and `exp`, in seconds (default {@link JWT_LEEWAY_SECONDS}). */
  leewaySeconds?: number;
}

/**
 * Verifies a compact HS256 JWT and returns its claims.
 * @throws JwtError with the reason; never anything else, whatever the input.
 */
export function verifyJwt(
  token: unknown,
  secret: Uint8Array,
  expect: VerifyExpectations,
): AccessClaims {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new JwtError('malformed');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw new JwtError('malformed');
  const [header, payload, signature] = parts as [string, string, string];
  checkHeader(header);
  checkSignature(`${header}.${payload}`, signature, secret);
  return checkClaims(parseJson(payload), expect);
}

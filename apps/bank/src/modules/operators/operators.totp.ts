/**
 * Time-based one-time passwords (RFC 6238) with the `otpauth` library: 6 digits, 30-second steps,
 * HMAC-SHA1 — what every authenticator app reads from an `otpauth://` URI. A code is checked
 * against the bank's clock with one step of tolerance either way; the caller decides whether its
 * step was already used.
 */
import { HOTP, Secret, TOTP } from 'otpauth';

/** Seconds per TOTP step. */
export const TOTP_PERIOD_SECONDS = 30;
/** Bytes of a TOTP secret (160 bits, RFC 4226 §4's recommendation). */
export const TOTP_SECRET_BYTES = 20;

function totp(secret: Uint8Array, label = 'operator'): TOTP {
  return new TOTP({
    issuer: 'offpay',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
  });
}

/** A fresh random TOTP secret. */
export function newTotpSecret(): Uint8Array {
  return new Uint8Array(new Secret({ size: TOTP_SECRET_BYTES }).bytes);
}

/** A secret from its base32 text (the form authenticator apps and the demo use). */
export function totpSecretFromBase32(text: string): Uint8Array {
  return new Uint8Array(Secret.fromBase32(text).bytes);
}

/** The `otpauth://totp/…` URI an authenticator app scans. Holds the secret: show it once. */
export function provisioningUri(secret: Uint8Array, email: string): string {
  return totp(secret, email).toString();
}

/** The time step of `nowMs`. */
export function timeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of the step containing `nowMs`. */
export function totpCode(secret: Uint8Array, nowMs: number): string {
  return totp(secret).generate({ timestamp: nowMs });
}

/**
 * The time step whose code `code` is (the current one, the one before or the one after), or null.
 * Compared in constant time by the library.
 */
export function matchTotp(secret: Uint8Array, code: string, nowMs: number): number | null {
  const step = timeStep(nowMs);
  for (const delta of [0, -1, 1]) {
    const ok = HOTP.validate({
      token: code,
      secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
      algorithm: 'SHA1',
      digits: 6,
      counter: step + delta,
      window: 0,
    });
    if (ok === 0) return step + delta;
  }
  return null;
}

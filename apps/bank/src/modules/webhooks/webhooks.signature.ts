/**
 * The Offpay-Signature header of a webhook delivery (docs/webhooks.md "Headers and signature"):
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` under the endpoint's secret, like
 * Stripe's scheme. The HMAC is node:crypto's — the bank is a Node process and receivers verify
 * with the same call, as the docs show; the bank does not depend on @noble/hashes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The scheme name of signatures in Offpay-Signature (`v1=`): HMAC-SHA256 over `<t>.<body>`. */
export const SIGNATURE_SCHEME = 'v1';
/** How far a receiver should accept `t` from its own clock, in seconds (docs/webhooks.md). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

function hmacHex(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
}

/** The Offpay-Signature header of `body` sent at Unix time `t`: `t=<t>,v1=<hex HMAC-SHA256>`. */
export function signatureHeader(secret: string, t: number, body: string): string {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('t must be Unix seconds');
  return `t=${t},${SIGNATURE_SCHEME}=${hmacHex(secret, t, body)}`;
}

/**
 * True when `header` holds a v1 signature of `body` under `secret` with `t` within `tolerance`
 * seconds of `nowSeconds` — what a receiver checks (docs/webhooks.md). False for anything else.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  tolerance = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (header.length > 1000) return false;
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const [k, v] = item.split('=', 2);
    if (k === undefined || v === undefined) return false;
    parts.set(k.trim(), [...(parts.get(k.trim()) ?? []), v.trim()]);
  }
  const ts = parts.get('t');
  if (ts?.length !== 1 || !/^\d{1,12}$/.test(ts[0]!)) return false;
  const t = Number(ts[0]);
  if (Math.abs(nowSeconds - t) > tolerance) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return (parts.get(SIGNATURE_SCHEME) ?? []).some((sig) => {
    if (!/^[0-9a-f]{64}$/.test(sig)) return false;
    return timingSafeEqual(Buffer.from(sig, 'hex'), expected);
  });
}

/** zod schemas of the certificate routes: every input bounded and strictly decoded. */
import { fromBase64Url } from '@offpay/crypto';
import { CHALLENGE_LENGTH, MAX_AMOUNT } from '@offpay/protocol';
import { z } from 'zod';
import { currencySchema, minorSchema } from '../../http/schemas.js';

/** Unpadded base64url length of `n` bytes (RFC 4648 §5). */
const b64Length = (n: number) => Math.ceil((n * 4) / 3);

function decodes(text: string, bytes: number): boolean {
  try {
    return fromBase64Url(text).length === bytes;
  } catch {
    return false;
  }
}

/**
 * Exactly `bytes` bytes as unpadded base64url: no padding, no other alphabet, no non-zero
 * trailing bits (so each byte string has one accepted text). Decoded to bytes.
 */
export function base64UrlBytes(bytes: number, what: string) {
  return z
    .string()
    .length(b64Length(bytes), `${what}: ${bytes} bytes as unpadded base64url`)
    .refine((s) => decodes(s, bytes), `${what} is not canonical base64url`)
    .transform((s) => fromBase64Url(s))
    .describe(`${what}: ${bytes} bytes, unpadded base64url`);
}

/** A bank serial (payer or payee certificate): 1 … 2^53 − 1 as a decimal string. */
export const serialString = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a serial is a decimal integer ≥ 1')
  .refine((s) => Number(s) <= MAX_AMOUNT, 'a serial is at most 2^53 − 1')
  .describe('Certificate serial, decimal string');

const challengeId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/, 'challengeId as returned by POST /v1/enrollment/challenge');

const signature = base64UrlBytes(64, 'signature').describe(
  'ECDSA P-256 signature (r ‖ s, 64 bytes) over the enrollment tbs, docs/protocol.md §4.3',
);

/** POST /v1/enrollment/payer */
export const payerBody = z.object({
  challengeId,
  signKey: base64UrlBytes(33, 'signKey').describe("The payer device's compressed P-256 key"),
  signature,
  limitMinor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'limitMinor: whole minor units ≥ 1, as a decimal string')
    // zod runs refinements even after the regex failed: this one must not throw on any string.
    .refine(
      (s) => /^\d+$/.test(s) && BigInt(s) <= BigInt(MAX_AMOUNT),
      'limitMinor is at most 2^53 − 1',
    )
    .transform((s) => BigInt(s))
    .describe('The reserve, and the most the certificate may ever spend (minor units)'),
  currency: currencySchema.optional().describe('Default: the currency of your account'),
});

/** POST /v1/enrollment/payee */
export const payeeBody = z.object({
  challengeId,
  signKey: base64UrlBytes(33, 'signKey').describe("The receiver device's compressed P-256 key"),
  kemKey: base64UrlBytes(33, 'kemKey').describe("The receiver's compressed P-256 HPKE key"),
  signature,
});

/** A decimal serial in JSON (strings: a serial may pass 2^31). */
const serialOut = z.string().regex(/^[1-9][0-9]*$/);

export const challengeResponse = z.object({
  challengeId: z.string(),
  challenge: z.string().describe(`${CHALLENGE_LENGTH} random bytes, base64url`),
  expiresAt: z.iso.datetime(),
});

export const payerResponse = z.object({
  serial: serialOut,
  certificate: z.string().describe('CBOR [tbs, signature], base64url (docs/protocol.md §4)'),
  expiresAt: z.iso.datetime(),
  limitMinor: minorSchema,
  currency: currencySchema,
});

export const payeeResponse = payerResponse
  .omit({ limitMinor: true })
  .extend({ displayName: z.string() });

export const closeResponse = z.object({
  serial: serialOut,
  kind: z.enum(['payer', 'payee']),
  status: z.enum(['active', 'closed', 'revoked']),
  reason: z.enum(['fraud', 'closed', 'compromised']),
  closedAt: z.iso.datetime(),
});

export const revocationListResponse = z.object({
  seq: z.number().int().min(0),
  issuedAt: z.iso.datetime(),
  serials: z.array(serialOut).describe('Revoked payer serials that could still settle, ascending'),
  signed: z.string().describe('The signed list, CBOR [tbs, signature], base64url (§11)'),
  bankTime: z.iso
    .datetime()
    .describe(
      "The bank's clock when answering (up to 30 s old when cached): apps refuse a device clock before it",
    ),
});

const syncPayment = z.object({
  paymentId: z.string().regex(/^[0-9a-f]{64}$/),
  counter: z.number().int().min(1),
  amountMinor: minorSchema,
  settledAt: z.iso.datetime(),
});

export const syncResponse = z.object({
  bankTime: z.iso.datetime().describe("The bank's clock: apps refuse a device clock before it"),
  certificates: z.array(
    z.object({
      serial: serialOut,
      status: z.enum(['active', 'closed', 'revoked']),
      currency: currencySchema,
      limitMinor: minorSchema,
      settledMinor: minorSchema,
      reserveRemainingMinor: minorSchema,
      expiresAt: z.iso.datetime(),
      closedAt: z.iso.datetime().nullable(),
      reserveReleasedAt: z.iso.datetime().nullable(),
      payments: z.array(syncPayment),
      paymentsTruncated: z.boolean(),
    }),
  ),
});

/** An ISO 8601 instant; a value Date cannot represent must never reach SQL as NaN. */
const instant = z.iso
  .datetime({ offset: true })
  .refine((s) => Number.isFinite(Date.parse(s)), 'not a calendar date');

/** ?from=&to= of the CSV export: ISO 8601 instants, from ≤ to. */
export const csvQuery = z
  .object({
    from: instant.optional().describe('Inclusive lower bound of settledAt'),
    to: instant.optional().describe('Exclusive upper bound of settledAt'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

/** :serial of POST /v1/certificates/:serial/close */
export const serialParams = z.object({ serial: serialString });

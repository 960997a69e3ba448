/**
 * Settlement (docs/protocol.md §9–10): a sealed batch in, the bank-signed result out; the stored
 * result again by batch key; and the live outcomes of your payees as server-sent events.
 */
import {
  LIMITS,
  MAX_READABLE_CHARS,
  MAX_READABLE_FIELDS,
  PROTO_ERRORS,
  type ProtoErrorCode,
} from '@offpay/protocol';
import { z } from 'zod';
import { base64UrlLength, base64UrlUpTo, hex, ledgerIndex, rowId, unixSeconds } from '../fields.js';
import type { RouteSpec } from '../route.js';

/** Raw sealed bytes: the batch bound plus the wire framing `[1, kemKid, sealed]`. */
export const SEALED_BATCH_MAX_BYTES = LIMITS.sealedBatchBytes + 128;
/** The body limit of POST /v1/settlements: the sealed bound as base64url in JSON, plus framing. */
export const SETTLEMENT_BODY_LIMIT = base64UrlLength(SEALED_BATCH_MAX_BYTES) + 1024;

/**
 * The media types POST /v1/settlements reads (docs/protocol.md §9.6), the preferred first: the
 * sealed wire bytes as CBOR or octets, or JSON (`{"sealed": …}` or an offpay file).
 */
export const SETTLEMENT_MEDIA_TYPES = [
  'application/cbor',
  'application/octet-stream',
  'application/json',
] as const;

/** Settlement statuses of one entry. */
export const ENTRY_STATUSES = ['settled', 'duplicate', 'rejected'] as const;

/** Why the bank rejected one entry: a protocol code, or one of the bank's two entry codes. */
export type EntryCode = ProtoErrorCode | 'BANK_UNKNOWN_CERTIFICATE' | 'BANK_RESERVE_EXHAUSTED';

/** Every entry code, and '' (settled or duplicate entries carry no code). */
export const ENTRY_CODES = [
  '',
  ...(Object.keys(PROTO_ERRORS) as ProtoErrorCode[]),
  'BANK_UNKNOWN_CERTIFICATE',
  'BANK_RESERVE_EXHAUSTED',
] as ['', ...EntryCode[]];

/** One entry of a settlement result: a code exactly when it was rejected. */
export const settledEntry = z
  .object({
    index: ledgerIndex,
    paymentId: hex(32),
    status: z.enum(ENTRY_STATUSES),
    code: z.enum(ENTRY_CODES),
    details: z
      .object({
        fraudProofId: rowId,
        fraudProofPath: z.string().max(40),
      })
      .optional()
      .describe(
        'On an entry rejected with a PROTO_FRAUD_* code: the stored proof it rests on, public at fraudProofPath (not part of the signed result)',
      ),
  })
  .refine((e) => (e.status === 'rejected') === (e.code !== ''), {
    message: 'a rejected entry has a code, and only a rejected one',
    path: ['code'],
  });

/** One answered batch as a payee's live stream carries it. */
export const settlementEvent = z.object({
  batchKey: hex(32).describe('hex SHA-256 of the signed batch: the idempotency key'),
  payeeKid: hex(8),
  fromIndex: ledgerIndex,
  head: hex(32).describe("the payee's settled head after this batch"),
  settledAt: unixSeconds.describe('bank clock, Unix seconds'),
  results: z.array(settledEntry).max(LIMITS.batchEntries),
});

/** The answer to a batch: its result, and the bank-signed bytes of it. */
export const settlementAnswer = settlementEvent.extend({
  replayed: z
    .boolean()
    .describe('true when this batch was settled before and this is the stored result'),
  signed: base64UrlUpTo(LIMITS.resultBytes, 'signed').describe(
    'the bank-signed SettlementResult, base64url (docs/protocol.md §10)',
  ),
});

const sealedText = z
  .string()
  .min(1)
  .max(SETTLEMENT_BODY_LIMIT)
  .regex(/^[A-Za-z0-9_-]+$/, 'not base64url');

// The readable fields an offpay file may carry besides offpay, type and data (docs/protocol.md §13.1).
const READABLE_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const readableValue = z.union([
  z.string().max(MAX_READABLE_CHARS),
  z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
]);

/** The JSON form `{"sealed": base64url}` of a sealed batch. */
export const sealedBatchJson = z
  .object({ sealed: sealedText })
  .describe('The sealed batch wire bytes, base64url');

/**
 * An offpay file holding a sealed batch, as documented. The bank reads a JSON body with an
 * `offpay` member with `decodeFileValue` of @offpay/protocol (§13.1, the PROTO_FILE_* codes).
 */
const batchFile = z
  .object({ offpay: z.literal(1), type: z.literal('settlement-batch'), data: sealedText })
  .catchall(readableValue)
  .refine((f) => {
    const readable = Object.keys(f).filter((k) => !['offpay', 'type', 'data'].includes(k));
    return readable.length <= MAX_READABLE_FIELDS && readable.every((k) => READABLE_KEY.test(k));
  }, `at most ${MAX_READABLE_FIELDS} readable fields with plain names`)
  .describe('An offpay file (docs/protocol.md §13.1) holding the sealed batch');

/** POST /v1/settlements */
export const settle = {
  method: 'POST',
  path: '/v1/settlements',
  auth: false,
  tag: 'settlement',
  summary: 'Settle a sealed batch (application/cbor, application/octet-stream or JSON)',
  description:
    `No login: the payee's signature inside the batch is the authority, so anyone may carry it. ` +
    `Three request forms (docs/protocol.md §9.6): the sealed wire form [1, kemKid, sealed] as ` +
    `raw bytes (application/cbor, or application/octet-stream); JSON {"sealed": base64url}; or ` +
    `JSON an offpay file of type settlement-batch (a body with an "offpay" member is read as a ` +
    `file: 400 PROTO_FILE_INVALID / PROTO_FILE_WRONG_TYPE). Any other Content-Type, text/plain ` +
    `included, is 415 BANK_UNSUPPORTED_MEDIA_TYPE. Every form is limited to ` +
    `${SETTLEMENT_BODY_LIMIT} bytes (413 BANK_BODY_TOO_LARGE); at most ${LIMITS.batchEntries} ` +
    `entries and ${SEALED_BATCH_MAX_BYTES} sealed bytes per batch (413 PROTO_TOO_LARGE, ` +
    `PROTO_BATCH_TOO_MANY_ENTRIES); settle large ledgers in several batches.`,
  rawBody: {
    mediaTypes: SETTLEMENT_MEDIA_TYPES.filter((t) => t !== 'application/json'),
    maxBytes: SETTLEMENT_BODY_LIMIT,
    description: `The sealed wire form [1, kemKid, sealed] (CBOR), at most ${SEALED_BATCH_MAX_BYTES} bytes`,
  },
  headers: z.object({
    'idempotency-key': z
      .string()
      .max(200)
      .optional()
      .describe('The batch key (hex SHA-256 of the signed batch); optional'),
  }),
  body: z.union([sealedBatchJson, batchFile]),
  status: 200,
  response: settlementAnswer,
  errors: [400, 403, 404, 409, 413, 415, 422, 429, 503],
} as const satisfies RouteSpec;

/** GET /v1/settlements/:batchKey */
export const settlementResult = {
  method: 'GET',
  path: '/v1/settlements/:batchKey',
  auth: false,
  tag: 'settlement',
  summary: 'The stored, bank-signed result of a settled batch',
  params: z.object({ batchKey: hex(32) }),
  status: 200,
  response: settlementAnswer,
  errors: [400, 404],
} as const satisfies RouteSpec;

/** GET /v1/settlements/events */
export const settlementEvents = {
  method: 'GET',
  path: '/v1/settlements/events',
  auth: true,
  tag: 'settlement',
  summary: "Your payees' settlement outcomes as server-sent events (text/event-stream)",
  description: [
    'Each settled batch of the payee certificate named by ?payeeKid (hex; yours), or of all your',
    'payee certificates, arrives as `event: settlement` with JSON data {batchKey, payeeKid,',
    'fromIndex, head, settledAt, results:[{index, paymentId, status, code}]}, whichever bank',
    'instance settled it. A comment line comes every heartbeat. The stream lives no longer than its',
    'token: it ends with `event: end` and data {reason: "token-expired" | "logged-out"} when the token',
    'expires, and within one heartbeat of "log out everywhere". Events are notifications, not a',
    'record: after a reconnect, ask GET /v1/settlements/{batchKey} for a batch you are waiting for.',
    'The Bearer token goes in the Authorization header only (never in the URL), so browsers read',
    'the stream with fetch, not EventSource.',
  ].join(' '),
  query: z.object({ payeeKid: hex(8).optional() }),
  status: 200,
  contentType: 'text/event-stream',
  response: z.string().describe('text/event-stream'),
  event: settlementEvent,
  errors: [400, 401, 404, 429, 503],
} as const satisfies RouteSpec;

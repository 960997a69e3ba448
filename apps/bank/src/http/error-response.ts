/**
 * Turns anything thrown while serving a request into the bank's one error shape,
 * `{ code, message, details }`, with its HTTP status. Pure, so every mapping is unit-tested.
 */
import {
  BANK_ERRORS,
  MAX_ERROR_MESSAGE,
  MAX_ISSUES,
  type BankCode,
  type ErrorBody,
} from '@offpay/api';
import { isAppError, PROTO_ERRORS, type ProtoErrorCode } from '@offpay/protocol';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isCachedPlanInvalid, isDatabaseUnavailable, isTransactionConflict } from '../db/errors.js';
import { isBankError } from '../errors.js';

export type { ErrorBody };

/** Context the mapping needs: the limit that applied, and the id to quote for a 500. */
export interface ErrorContext {
  bodyLimitBytes: number;
  requestId: string;
  /** The media types the route reads, the preferred first (for a 415). */
  acceptedMediaTypes?: readonly string[];
}

/**
 * Details as `errorBody` of @offpay/api bounds them: JSON values only (an `undefined` a protocol
 * error may carry is dropped), a list of issues cut to its first {@link MAX_ISSUES}.
 */
function jsonDetails(details: unknown): ErrorBody['details'] {
  if (typeof details !== 'object' || details === null) return {};
  const entries = Object.entries(details).filter(([, v]) => v !== undefined);
  return Object.fromEntries(
    entries.map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, MAX_ISSUES) : v]),
  );
}

function answer(code: ErrorBody['code'], status: number, message: string, details: unknown) {
  return {
    status,
    body: { code, message: message.slice(0, MAX_ERROR_MESSAGE), details: jsonDetails(details) },
  };
}

function body(code: BankCode, message: string, details: unknown = {}) {
  return answer(code, BANK_ERRORS[code].status, message, details);
}

// Fastify's own client errors, by code, in words a client developer understands.
const FASTIFY_CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty but Content-Type says JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_BAD_URL: 'The URL is malformed',
};

function fastifyClientError(err: { code?: unknown; statusCode?: unknown }, ctx: ErrorContext) {
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return body(
      'BANK_BODY_TOO_LARGE',
      `The request body is larger than the limit of ${ctx.bodyLimitBytes} bytes`,
      {
        limitBytes: ctx.bodyLimitBytes,
      },
    );
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const accepted = [...(ctx.acceptedMediaTypes ?? ['application/json'])];
    return body(
      'BANK_UNSUPPORTED_MEDIA_TYPE',
      `This Content-Type is not accepted here; send ${accepted.join(', or ')}`,
      { accepted },
    );
  }
  const known = FASTIFY_CLIENT_ERRORS[code];
  if (known !== undefined) return body('BANK_BAD_REQUEST', known, { issues: [] });
  const status = typeof err.statusCode === 'number' ? err.statusCode : 0;
  // Any other 4xx from the framework (a JSON SyntaxError carries 400): say so without its text.
  if (status >= 400 && status < 500)
    return body('BANK_BAD_REQUEST', 'The request could not be read as sent', { issues: [] });
  return null;
}

// A protocol code reaching HTTP is a whole-request refusal (a malformed or oversized batch): the
// same code every party gives (docs/protocol.md), with the status docs/errors.md names.
const PROTO_STATUS: Partial<Record<ProtoErrorCode, number>> = {
  PROTO_TOO_LARGE: 413,
  PROTO_BATCH_TOO_MANY_ENTRIES: 413,
};

function protoBody(code: ProtoErrorCode, message: string, details: unknown) {
  return answer(code, PROTO_STATUS[code] ?? 400, message, details);
}

/** Maps an error to `{ status, body }`; unknown errors become BANK_INTERNAL with nothing disclosed. */
export function toErrorResponse(
  err: unknown,
  ctx: ErrorContext,
): { status: number; body: ErrorBody } {
  if (isBankError(err)) return body(err.code, err.message, err.details);
  if (isAppError(err) && err.code in PROTO_ERRORS) {
    return protoBody(err.code as ProtoErrorCode, err.message, err.details);
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'body';
    const issues = err.validation.map((v) => ({
      path: `${where}${v.instancePath}`,
      message: v.message ?? 'invalid',
    }));
    return body('BANK_BAD_REQUEST', 'The request does not match the schema', { issues });
  }
  if (typeof err === 'object' && err !== null) {
    const mapped = fastifyClientError(err, ctx);
    if (mapped) return mapped;
  }
  if (isDatabaseUnavailable(err))
    return body('BANK_UNAVAILABLE', 'The bank cannot reach its database; retry later');
  // Still losing a race after the retries (a deadlock or serialization failure undoes the whole
  // transaction): nothing happened, and the same request later will work. Never a defect.
  if (isTransactionConflict(err))
    return body('BANK_UNAVAILABLE', 'The bank is busy with the same accounts; retry shortly');
  // A migration changed a prepared statement's result under a connection (db/statements.ts):
  // that connection is gone, the next attempt prepares afresh. Nothing was done.
  if (isCachedPlanInvalid(err))
    return body('BANK_UNAVAILABLE', 'The bank is switching to a new schema; retry shortly');
  return body('BANK_INTERNAL', 'Internal error', { requestId: ctx.requestId });
}

/** zod schemas shared by routes (and so by the OpenAPI document at /docs). */
import { z } from 'zod';
import { PROTO_ERRORS, type ProtoErrorCode } from '@offpay/protocol';
import { BANK_ERRORS, type BankErrorCode } from '../errors.js';

// Protocol codes reach HTTP too: a batch refused as a whole answers the code every party gives.
const codes = [...Object.keys(BANK_ERRORS), ...Object.keys(PROTO_ERRORS)] as [
  BankErrorCode | ProtoErrorCode,
  ...(BankErrorCode | ProtoErrorCode)[],
];

/** Every error response. */
export const errorSchema = z
  .object({
    code: z.enum(codes),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .describe('An error: a stable code (docs/errors.md), a message for people, typed details');

/** An amount of minor units as a decimal string: exact, never a float. */
export const minorSchema = z
  .string()
  .regex(/^-?(0|[1-9][0-9]{0,18})$/)
  .describe('Integer minor units (cents) as a decimal string');

/** ISO 4217 currency code. */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe('ISO 4217 currency code');

/** Standard error responses of routes that need a login. */
export const authErrors = { 401: errorSchema } as const;

/** OpenAPI security requirement of routes that need a login. */
export const bearerSecurity = [{ bearerAuth: [] }];

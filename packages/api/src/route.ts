/**
 * How a route is declared: one object per route that the bank validates and documents with and a
 * client calls and parses with. Paths use `:name` for parameters, as Fastify does.
 */
import type { z } from 'zod';
import type { BankStatus } from './errors.js';

/** An operator's role: `operator` acts; `auditor` only reads (docs/operations.md "Operators"). */
export const OPERATOR_ROLES = ['operator', 'auditor'] as const;
/** One of {@link OPERATOR_ROLES}. */
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/**
 * Who may call an operator route and what the call is. `change` routes carry a required `reason`
 * in their body and are audited with it; `read` routes show customer data and are audited as
 * reads; `session` routes concern the caller's own session only.
 */
export interface OperatorAccess {
  roles: readonly OperatorRole[];
  kind: 'change' | 'read' | 'session';
}

/** One route of the bank's HTTP API. */
export interface RouteSpec {
  method: 'GET' | 'POST';
  /** The path, with `:name` for each parameter (see {@link routePath}). */
  path: string;
  /** True when the route needs `Authorization: Bearer <token>` (POST /v1/auth/login). */
  auth: boolean;
  /**
   * Present on operator routes: the token must be an operator's (POST /v1/operator/auth/login;
   * a customer's token never works here, nor an operator's on a customer route) and its role one
   * of `roles`, else 403 BANK_ROLE_FORBIDDEN. The bank enforces it from this declaration.
   */
  operator?: OperatorAccess;
  /** The OpenAPI tag the route is listed under. */
  tag: string;
  /** One line for the API documentation. */
  summary: string;
  /** More words for the API documentation, when one line is not enough. */
  description?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  /** The headers that matter (others are ignored). */
  headers?: z.ZodType;
  /** The JSON body (a route may accept other media types too: see {@link RouteSpec.rawBody}). */
  body?: z.ZodType;
  /**
   * Media types the route also reads as raw bytes (POST /v1/settlements: the sealed batch as
   * application/cbor), documented beside the JSON body; `maxBytes` bounds every form.
   */
  rawBody?: { mediaTypes: readonly string[]; maxBytes: number; description: string };
  /** The status of a successful answer. */
  status: 200 | 201 | 204;
  /** A successful answer: JSON unless {@link RouteSpec.contentType} says otherwise. */
  response: z.ZodType;
  /** The media type of a successful answer when it is not JSON. */
  contentType?: 'text/csv' | 'text/event-stream' | 'application/xml';
  /** The data of each server-sent event of a `text/event-stream` answer. */
  event?: z.ZodType;
  /** The statuses this route answers errors with (each body is an `errorBody`). */
  errors: readonly BankStatus[];
  /** Answers at other statuses that are not an `errorBody` (GET /readyz's 503). */
  otherAnswers?: Readonly<Record<number, z.ZodType>>;
}

type Schema<R, K extends keyof RouteSpec> = R extends { [P in K]: infer S extends z.ZodType }
  ? S
  : never;

/** What a client sends as the JSON body of route `R`. */
export type BodyOf<R extends RouteSpec> = z.input<Schema<R, 'body'>>;
/** What a client sends as the query of route `R`. */
export type QueryOf<R extends RouteSpec> = z.input<Schema<R, 'query'>>;
/** The path parameters of route `R`. */
export type ParamsOf<R extends RouteSpec> = z.input<Schema<R, 'params'>>;
/** A successful answer of route `R`, parsed. */
export type AnswerOf<R extends RouteSpec> = z.output<R['response']>;
/** One server-sent event's data of route `R`, parsed. */
export type EventOf<R extends RouteSpec> = z.output<Schema<R, 'event'>>;

/**
 * The path of `route` with its `:name` parameters filled in (URI-encoded).
 * @throws RangeError when a parameter the path names is missing
 * @example routePath(routes.closeCertificate, { serial: '12' }) // '/v1/certificates/12/close'
 */
export function routePath(route: RouteSpec, params: Readonly<Record<string, string>> = {}): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) throw new RangeError(`${route.path}: parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
}

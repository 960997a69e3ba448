/**
 * A route of `@offpay/api` as Fastify registers it: the same zod schemas validate the request,
 * serialise the answer and write the OpenAPI document at /docs (fastify-type-provider-zod).
 */
import { errorBody, type RouteSpec } from '@offpay/api';
import type { FastifyInstance, FastifySerializerCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Part<R, K extends keyof RouteSpec> = R extends { [P in K]: infer S extends z.ZodType }
  ? S
  : undefined;

/** A non-JSON answer, as @fastify/swagger documents it. */
type ContentAnswer = {
  description: string;
  content: Record<string, { schema: z.ZodType }>;
};

type Answers<R extends RouteSpec> = {
  [S in R['status']]: R extends { contentType: string } ? ContentAnswer : R['response'];
} & { [S in R['errors'][number]]: typeof errorBody } & (R extends { otherAnswers: infer O }
    ? O
    : unknown);

/** The Fastify schema of route `R`, typed so that handlers are checked against the contract. */
export interface RouteSchemaOf<R extends RouteSpec> {
  tags: string[];
  summary: string;
  description?: string;
  security?: { bearerAuth: never[] }[];
  params: Part<R, 'params'>;
  querystring: Part<R, 'query'>;
  headers: Part<R, 'headers'>;
  body: Part<R, 'body'>;
  response: Answers<R>;
}

/** Options of {@link routeSchema}. */
export interface RouteSchemaOptions {
  /**
   * False when the route reads its body itself (POST /v1/settlements also takes raw bytes, which
   * a JSON schema would refuse); the route then parses with `route.body`.
   */
  validateBody?: boolean;
  /**
   * True when the handler builds its success answer field by field from the contract's own type
   * (a view function such as settlement.view.ts `answerView`): that answer is written with
   * `JSON.stringify` instead of being parsed by its zod schema first, which cost the settlement
   * route more CPU than its result signature (docs/PERFORMANCE.md "Round 5 (bankcpu)"). Error
   * answers and every other route keep the schema's serializer.
   */
  builtAnswer?: boolean;
}

function answers(route: RouteSpec): Record<number, unknown> {
  const success = route.contentType
    ? {
        description: route.summary,
        content: { [route.contentType]: { schema: route.response } },
      }
    : route.response;
  const errors = Object.fromEntries(route.errors.map((status) => [status, errorBody]));
  return { [route.status]: success, ...errors, ...route.otherAnswers };
}

/** The Fastify schema of `route`. */
export function routeSchema<R extends RouteSpec>(
  route: R,
  options: RouteSchemaOptions = {},
): RouteSchemaOf<R> {
  const schema: Record<string, unknown> = {
    tags: [route.tag],
    summary: route.summary,
    response: answers(route),
  };
  // Operator routes say in the document who may call them (the same declaration the bank enforces).
  const access = route.operator
    ? `Operator token (POST /v1/operator/auth/login); roles: ${route.operator.roles.join(', ')}.`
    : undefined;
  const description = [route.description, access].filter(Boolean).join(' ');
  if (description) schema['description'] = description;
  if (route.auth) schema['security'] = [{ bearerAuth: [] }];
  if (route.params) schema['params'] = route.params;
  if (route.query) schema['querystring'] = route.query;
  // Headers it does not name stay on the request (a strict schema would strip them).
  if (route.headers instanceof z.ZodObject) schema['headers'] = route.headers.loose();
  if (route.body && options.validateBody !== false) schema['body'] = route.body;
  return schema as unknown as RouteSchemaOf<R>;
}

/** The success status of `route` written as built; every other status through its schema. */
function builtAnswerSerializer<R extends RouteSpec>(
  route: R,
): FastifySerializerCompiler<RouteSchemaOf<R>> {
  const success = String(route.status);
  const bySchema = serializerCompiler as unknown as FastifySerializerCompiler<RouteSchemaOf<R>>;
  return (options) =>
    options.httpStatus === success ? (data) => JSON.stringify(data) : bySchema(options);
}

/**
 * What `app.route()` needs of `route`: method, URL, schema, and the login check when the route
 * needs one (for operator routes: an operator token and one of the roles the route allows).
 */
export function routeOptions<R extends RouteSpec>(
  app: FastifyInstance,
  route: R,
  options: RouteSchemaOptions = {},
) {
  return {
    method: route.method,
    url: route.path,
    schema: routeSchema(route, options),
    ...(options.builtAnswer ? { serializerCompiler: builtAnswerSerializer(route) } : {}),
    // Operator routes: an operator token and an allowed role, from the route's own declaration.
    ...(route.operator
      ? { onRequest: app.authorizeOperator(route.operator) }
      : route.auth
        ? { onRequest: app.authenticate }
        : {}),
  };
}

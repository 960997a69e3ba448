/** Liveness and readiness, for load balancers and orchestrators. */
import { z } from 'zod';
import type { RouteSpec } from '../route.js';

/** What GET /readyz answers (200 or 503). */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'degraded', 'unavailable']),
  database: z.enum(['ok', 'down']),
  redis: z.enum(['ok', 'down', 'not-configured']),
});

/** GET /healthz */
export const health = {
  method: 'GET',
  path: '/healthz',
  auth: false,
  tag: 'health',
  summary: 'Liveness: the process is running',
  status: 200,
  response: z.object({ status: z.literal('ok') }),
  errors: [],
} as const satisfies RouteSpec;

/** GET /readyz */
export const readiness = {
  method: 'GET',
  path: '/readyz',
  auth: false,
  tag: 'health',
  summary: 'Readiness: 200 when the database answers (Redis down → "degraded"), else 503',
  status: 200,
  response: readinessSchema,
  errors: [],
  otherAnswers: { 503: readinessSchema },
} as const satisfies RouteSpec;

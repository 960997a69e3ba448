/**
 * Pure rules of operators (docs/operations.md "Operators"): roles, who may use a route, what an
 * operator's token claims, single-use TOTP time steps, and what an audit entry of an operator
 * action says. No pg, no fastify.
 */
import type { OperatorAccess, OperatorRole } from '@offpay/api';
import type { AuditValue } from '../audit/audit.domain.js';

/** The operator behind a request. */
export interface OperatorActor {
  id: string;
  email: string;
  role: OperatorRole;
  tokenVersion: number;
}

/** The JWT audience of operator tokens: never the customers' one, so neither works for the other. */
export function operatorAudience(customerAudience: string): string {
  return `${customerAudience}-operator`;
}

/** True when `role` is among the roles a route allows. */
export function mayUse(role: OperatorRole, access: Pick<OperatorAccess, 'roles'>): boolean {
  return access.roles.includes(role);
}

/**
 * True when a TOTP code of time step `step` may be accepted after `lastStep`: each step once,
 * and never one older than the last accepted (RFC 6238 §5.2).
 */
export function stepIsFresh(lastStep: number | null, step: number): boolean {
  return lastStep === null || step > lastStep;
}

/** The audit actor of an operator. */
export function operatorActorName(actor: Pick<OperatorActor, 'id'>): string {
  return `operator:${actor.id}`;
}

/** What an operator did, to what, and why (the reason is required on every change). */
export interface OperatorAction {
  action: string;
  /** What it acted on: `merchant_application:<id>`, `audit_log`, … */
  target: string;
  reason?: string;
  data?: Record<string, AuditValue>;
}

/** The audit entry's data: who (id and email), the target, the reason and anything else. */
export function operatorAuditData(
  actor: Pick<OperatorActor, 'id' | 'email' | 'role'>,
  a: OperatorAction,
): Record<string, AuditValue> {
  return {
    ...a.data,
    operatorId: actor.id,
    operatorEmail: actor.email,
    operatorRole: actor.role,
    target: a.target,
    ...(a.reason !== undefined ? { reason: a.reason } : {}),
  };
}

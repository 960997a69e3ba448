/**
 * What operators do with applications: read the queue or one application (audited as reads),
 * approve (the name checked again under a lock, then reserved) or refuse — each audited with who,
 * what, when and why in the transaction that makes it.
 */
import type { Database, Queryable } from '../../db/queryable.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import { bankFail } from '../../errors.js';
import { checkName, pendingApplication, requireNotVerified } from './merchants.checks.js';
import {
  decideApplication,
  findApplication,
  insertMerchant,
  listApplications,
  lockMerchantNames,
  type ApplicationRow,
  type ApplicationState,
} from './merchants.repo.js';

/** Dependencies of the merchants service. */
export interface MerchantsDeps {
  db: Database;
  audit: AuditLog;
  /** Appends an operator action's audit entry inside `tx` (the operators service). */
  record: (tx: Queryable, actor: OperatorActor, action: OperatorAction) => Promise<void>;
  now: () => Date;
}

const decided = (a: ApplicationRow, state: 'approved' | 'refused', reason: string, at: Date) => ({
  ...a,
  state,
  reason,
  decidedAt: at,
});

/** The queue of one state, audited as a read. */
export function listQueue(
  deps: MerchantsDeps,
  actor: OperatorActor,
  state: ApplicationState,
  limit: number,
): Promise<ApplicationRow[]> {
  return deps.db.transaction(async (tx) => {
    const data = { state, limit };
    await deps.record(tx, actor, {
      action: 'operator.read',
      target: 'merchant_applications',
      data,
    });
    return listApplications(tx, state, limit);
  });
}

/** One application, audited as a read. @throws BANK_APPLICATION_NOT_FOUND */
export function readApplication(
  deps: MerchantsDeps,
  actor: OperatorActor,
  id: string,
): Promise<ApplicationRow> {
  return deps.db.transaction(async (tx) => {
    const found = await findApplication(tx, id);
    if (!found) {
      bankFail('BANK_APPLICATION_NOT_FOUND', 'No merchant application has this id', {
        applicationId: id,
      });
    }
    await deps.record(tx, actor, { action: 'operator.read', target: `merchant_application:${id}` });
    return found;
  });
}

/** Approves: verifies the applicant and reserves the name, all or nothing. */
export function approveApplication(
  deps: MerchantsDeps,
  actor: OperatorActor,
  id: string,
  reason: string,
): Promise<ApplicationRow> {
  return deps.db.transaction(async (tx) => {
    await lockMerchantNames(tx);
    const app = await pendingApplication(tx, id);
    await requireNotVerified(tx, app.userId);
    const name = await checkName(tx, app.displayName);
    const at = deps.now();
    const { userId, legalName } = app;
    await insertMerchant(tx, {
      userId,
      applicationId: id,
      legalName,
      name,
      at,
      operatorId: actor.id,
    });
    await decideApplication(tx, { id, state: 'approved', at, operatorId: actor.id, reason });
    await deps.record(tx, actor, {
      action: 'merchant.approved',
      target: `merchant_application:${id}`,
      reason,
      data: { userId, displayName: app.displayName },
    });
    return decided(app, 'approved', reason, at);
  });
}

/** Refuses, with the reason the applicant reads. */
export function refuseApplication(
  deps: MerchantsDeps,
  actor: OperatorActor,
  id: string,
  reason: string,
): Promise<ApplicationRow> {
  return deps.db.transaction(async (tx) => {
    const app = await pendingApplication(tx, id);
    const at = deps.now();
    await decideApplication(tx, { id, state: 'refused', at, operatorId: actor.id, reason });
    await deps.record(tx, actor, {
      action: 'merchant.refused',
      target: `merchant_application:${id}`,
      reason,
      data: { userId: app.userId, displayName: app.displayName },
    });
    return decided(app, 'refused', reason, at);
  });
}

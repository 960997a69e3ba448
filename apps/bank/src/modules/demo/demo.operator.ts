/**
 * The demo's people who run the bank (embedded default only): the demo operator, and Bob's
 * merchant application filed and left pending, so the demo shows an operator approving it
 * (`pnpm demo:approve`, the walk-through, the e2e journey). Idempotent.
 */
import type { Database } from '../../db/queryable.js';
import { isBankError } from '../../errors.js';
import type { MerchantsService } from '../merchants/merchants.service.js';
import type { OperatorsService } from '../operators/operators.service.js';
import { totpSecretFromBase32 } from '../operators/operators.totp.js';
import { DEMO_APPLICATION, DEMO_OPERATOR } from './demo.domain.js';
import { findUserId, hasApplied, operatorExists } from './demo.repo.js';

/** Dependencies of {@link seedDemoOperator} and {@link fileDemoApplication}. */
export interface DemoPeopleDeps {
  db: Database;
  operators: Pick<OperatorsService, 'create'>;
  merchants: Pick<MerchantsService, 'apply'>;
}

/** Creates the demo operator unless it exists. True when created. */
export async function seedDemoOperator(deps: DemoPeopleDeps): Promise<boolean> {
  if (await operatorExists(deps.db, DEMO_OPERATOR.email)) return false;
  try {
    await deps.operators.create({
      email: DEMO_OPERATOR.email,
      role: DEMO_OPERATOR.role,
      password: DEMO_OPERATOR.password,
      totpSecret: totpSecretFromBase32(DEMO_OPERATOR.totpSecretBase32),
      createdBy: 'demo',
    });
    return true;
  } catch (err) {
    // Another instance seeding at the same moment created it first.
    if (await operatorExists(deps.db, DEMO_OPERATOR.email)) return false;
    throw err;
  }
}

/** Files Bob's application unless Bob ever applied. True when filed. */
export async function fileDemoApplication(deps: DemoPeopleDeps): Promise<boolean> {
  const userId = await findUserId(deps.db, DEMO_APPLICATION.email);
  if (!userId || (await hasApplied(deps.db, userId))) return false;
  try {
    const { legalName, displayName, contact } = DEMO_APPLICATION;
    await deps.merchants.apply(userId, { legalName, displayName, contact });
    return true;
  } catch (err) {
    if (isBankError(err, 'BANK_APPLICATION_OPEN')) return false;
    throw err;
  }
}

/**
 * Merchant verification (docs/operations.md "Merchants"): a customer applies, an operator
 * approves or refuses with a reason, and approval reserves the display name — unique under case
 * folding and confusable skeletons, in one script (merchants.names.ts). Every operator step is
 * audited in the transaction that makes it, reads of applications included.
 */
import { isUniqueViolation } from '../../db/errors.js';
import { bankFail } from '../../errors.js';
import type { OperatorActor } from '../operators/operators.domain.js';
import { checkName, requireDisplayText, requireNotVerified } from './merchants.checks.js';
import {
  approveApplication,
  listQueue,
  readApplication,
  refuseApplication,
  type MerchantsDeps,
} from './merchants.decide.js';
import { normalizeDisplayName } from './merchants.names.js';
import {
  findApplication,
  findLatestApplication,
  findMerchant,
  findOpenApplication,
  insertApplication,
  type ApplicationRow,
  type ApplicationState,
  type MerchantRow,
} from './merchants.repo.js';

export type { ApplicationRow, MerchantRow, MerchantsDeps };

/** What a customer applies with. */
export interface ApplicationInput {
  legalName: string;
  displayName: string;
  contact: string;
}

/** Merchant applications and verified merchants. */
export interface MerchantsService {
  /**
   * @throws BANK_APPLICATION_OPEN, BANK_MERCHANT_ALREADY_VERIFIED, BANK_DISPLAY_NAME_UNUSABLE,
   * BANK_DISPLAY_NAME_TAKEN, BANK_DISPLAY_NAME_CONFUSABLE, BANK_DISPLAY_NAME_MIXED_SCRIPT
   */
  apply(userId: string, input: ApplicationInput): Promise<ApplicationRow>;
  /** The user's latest application and verified identity. */
  status(
    userId: string,
  ): Promise<{ application: ApplicationRow | null; verified: MerchantRow | null }>;
  /** The queue (audited as a read). */
  list(actor: OperatorActor, state: ApplicationState, limit: number): Promise<ApplicationRow[]>;
  /** One application (audited as a read). @throws BANK_APPLICATION_NOT_FOUND */
  get(actor: OperatorActor, id: string): Promise<ApplicationRow>;
  /**
   * Verifies the applicant and reserves the name.
   * @throws BANK_APPLICATION_NOT_FOUND, BANK_APPLICATION_DECIDED, BANK_MERCHANT_ALREADY_VERIFIED
   * and the name codes of {@link MerchantsService.apply}
   */
  approve(actor: OperatorActor, id: string, reason: string): Promise<ApplicationRow>;
  /** @throws BANK_APPLICATION_NOT_FOUND, BANK_APPLICATION_DECIDED */
  refuse(actor: OperatorActor, id: string, reason: string): Promise<ApplicationRow>;
}

/** Files an application after the checks a name must pass now (they run again at approval). */
async function submit(deps: MerchantsDeps, userId: string, input: ApplicationInput) {
  const { db, now } = deps;
  requireDisplayText(input.displayName);
  const displayName = normalizeDisplayName(input.displayName);
  await requireNotVerified(db, userId);
  const open = await findOpenApplication(db, userId);
  if (open) applicationOpen(open.id);
  await checkName(db, displayName);
  try {
    const id = await db.transaction(async (tx) => {
      const created = await insertApplication(tx, { userId, ...input, displayName, at: now() });
      await deps.audit.append(tx, {
        actor: `user:${userId}`,
        action: 'merchant.applied',
        data: { applicationId: created, displayName },
      });
      return created;
    });
    return (await findApplication(db, id)) as ApplicationRow;
  } catch (err) {
    // Two applications racing: the partial unique index decides.
    if (!isUniqueViolation(err, 'merchant_applications_one_open')) throw err;
    return applicationOpen((await findOpenApplication(db, userId))?.id ?? '');
  }
}

function applicationOpen(applicationId: string): never {
  return bankFail('BANK_APPLICATION_OPEN', 'You already have an open application', {
    applicationId,
  });
}

/** Builds the merchants service. */
export function createMerchantsService(deps: MerchantsDeps): MerchantsService {
  const { db } = deps;
  return {
    apply: (userId, input) => submit(deps, userId, input),
    async status(userId) {
      return {
        application: await findLatestApplication(db, userId),
        verified: await findMerchant(db, userId),
      };
    },
    list: (actor, state, limit) => listQueue(deps, actor, state, limit),
    get: (actor, id) => readApplication(deps, actor, id),
    approve: (actor, id, reason) => approveApplication(deps, actor, id, reason),
    refuse: (actor, id, reason) => refuseApplication(deps, actor, id, reason),
  };
}

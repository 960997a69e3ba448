/**
 * Merchant verification (docs/operations.md "Merchants"): a customer applies, an operator
 * approves or refuses with a reason, and approval reserves the display name — unique under case
 * folding and confusable skeletons, in one script (merchants.names.ts). Every operator step is
 * audited in the transaction that makes it, reads of applications included.
 */
import { isUniqueViolation } from '../../db/errors.js';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import {
  judgeName,
  normalizeDisplayName,
  reservedName,
  type NameRefusal,
  type ReservedName,
} from './merchants.names.js';
import {
  decideApplication,
  findApplication,
  findCollidingNames,
  findLatestApplication,
  findMerchant,
  findOpenApplication,
  insertApplication,
  insertMerchant,
  listApplications,
  lockMerchantNames,
  type ApplicationRow,
  type ApplicationState,
  type MerchantRow,
} from './merchants.repo.js';

export type { ApplicationRow, MerchantRow };

/** Dependencies of {@link createMerchantsService}. */
export interface MerchantsDeps {
  db: Database;
  audit: AuditLog;
  /** Appends an operator action's audit entry inside `tx` (the operators service). */
  record: (tx: Queryable, actor: OperatorActor, action: OperatorAction) => Promise<void>;
  now: () => Date;
}

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

/** Answers a name refusal with its code. */
function failName(refusal: NameRefusal): never {
  switch (refusal.code) {
    case 'unusable':
      return bankFail(
        'BANK_DISPLAY_NAME_UNUSABLE',
        'A display name is 1 to 64 UTF-8 bytes without control or format characters',
        { limitBytes: 64 },
      );
    case 'taken':
      return bankFail(
        'BANK_DISPLAY_NAME_TAKEN',
        `"${refusal.displayName}" is already a verified merchant's name`,
        {
          displayName: refusal.displayName,
        },
      );
    case 'confusable':
      return bankFail(
        'BANK_DISPLAY_NAME_CONFUSABLE',
        `This name looks like "${refusal.confusableWith}"`,
        {
          confusableWith: refusal.confusableWith,
        },
      );
    case 'mixed-script':
      return bankFail(
        'BANK_DISPLAY_NAME_MIXED_SCRIPT',
        `This name mixes scripts: ${refusal.scripts.join(', ')}`,
        {
          scripts: refusal.scripts,
        },
      );
  }
}

/** The name a verified-name check accepts, or the refusal answered. */
async function checkName(q: Queryable, displayName: string): Promise<ReservedName> {
  const name = reservedName(displayName);
  const refusal = judgeName(name, await findCollidingNames(q, name));
  if (refusal) failName(refusal);
  return name;
}

async function requireNotVerified(q: Queryable, userId: string): Promise<void> {
  const merchant = await findMerchant(q, userId);
  if (merchant) {
    bankFail('BANK_MERCHANT_ALREADY_VERIFIED', `Already verified as "${merchant.displayName}"`, {
      displayName: merchant.displayName,
    });
  }
}

async function pendingApplication(tx: Queryable, id: string): Promise<ApplicationRow> {
  const found = await findApplication(tx, id, true);
  if (!found)
    bankFail('BANK_APPLICATION_NOT_FOUND', 'No merchant application has this id', {
      applicationId: id,
    });
  if (found.state !== 'pending') {
    bankFail('BANK_APPLICATION_DECIDED', `This application was already ${found.state}`, {
      applicationId: id,
      state: found.state,
    });
  }
  return found;
}

/** Builds the merchants service. */
export function createMerchantsService(deps: MerchantsDeps): MerchantsService {
  const { db, now } = deps;
  const decided = (a: ApplicationRow, state: 'approved' | 'refused', reason: string, at: Date) => ({
    ...a,
    state,
    reason,
    decidedAt: at,
  });
  return {
    async apply(userId, input) {
      const displayName = normalizeDisplayName(input.displayName);
      await requireNotVerified(db, userId);
      const open = await findOpenApplication(db, userId);
      if (open)
        bankFail('BANK_APPLICATION_OPEN', 'You already have an open application', {
          applicationId: open.id,
        });
      await checkName(db, displayName);
      try {
        const id = await db.transaction(async (tx) => {
          const at = now();
          const created = await insertApplication(tx, { userId, ...input, displayName, at });
          await deps.audit.append(tx, {
            actor: `user:${userId}`,
            action: 'merchant.applied',
            data: { applicationId: created, displayName },
          });
          return created;
        });
        return (await findApplication(db, id)) as ApplicationRow;
      } catch (err) {
        if (!isUniqueViolation(err, 'merchant_applications_one_open')) throw err;
        const raced = await findOpenApplication(db, userId);
        return bankFail('BANK_APPLICATION_OPEN', 'You already have an open application', {
          applicationId: raced?.id ?? '',
        });
      }
    },
    async status(userId) {
      return {
        application: await findLatestApplication(db, userId),
        verified: await findMerchant(db, userId),
      };
    },
    list: (actor, state, limit) =>
      db.transaction(async (tx) => {
        await deps.record(tx, actor, {
          action: 'operator.read',
          target: 'merchant_applications',
          data: { state, limit },
        });
        return listApplications(tx, state, limit);
      }),
    get: (actor, id) =>
      db.transaction(async (tx) => {
        const found = await findApplication(tx, id);
        if (!found)
          bankFail('BANK_APPLICATION_NOT_FOUND', 'No merchant application has this id', {
            applicationId: id,
          });
        await deps.record(tx, actor, {
          action: 'operator.read',
          target: `merchant_application:${id}`,
        });
        return found;
      }),
    approve: (actor, id, reason) =>
      db.transaction(async (tx) => {
        await lockMerchantNames(tx);
        const app = await pendingApplication(tx, id);
        await requireNotVerified(tx, app.userId);
        const name = await checkName(tx, app.displayName);
        const at = now();
        await insertMerchant(tx, {
          userId: app.userId,
          applicationId: id,
          legalName: app.legalName,
          name,
          at,
          operatorId: actor.id,
        });
        await decideApplication(tx, { id, state: 'approved', at, operatorId: actor.id, reason });
        await deps.record(tx, actor, {
          action: 'merchant.approved',
          target: `merchant_application:${id}`,
          reason,
          data: { userId: app.userId, displayName: app.displayName },
        });
        return decided(app, 'approved', reason, at);
      }),
    refuse: (actor, id, reason) =>
      db.transaction(async (tx) => {
        const app = await pendingApplication(tx, id);
        const at = now();
        await decideApplication(tx, { id, state: 'refused', at, operatorId: actor.id, reason });
        await deps.record(tx, actor, {
          action: 'merchant.refused',
          target: `merchant_application:${id}`,
          reason,
          data: { userId: app.userId, displayName: app.displayName },
        });
        return decided(app, 'refused', reason, at);
      }),
  };
}

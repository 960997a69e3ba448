/** The checks shared by applying and approving: the name, the applicant, the application. */
import type { Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import {
  isCertifiableName,
  judgeName,
  reservedName,
  type NameRefusal,
  type ReservedName,
} from './merchants.names.js';
import {
  findApplication,
  findCollidingNames,
  findMerchant,
  type ApplicationRow,
} from './merchants.repo.js';

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

/**
 * The name as the applicant typed it is display text (docs/protocol.md §3, `isDisplayText`):
 * checked before white space is collapsed, so a tab, a line separator or a newline inside a name
 * is refused, not quietly turned into a space.
 * @throws BANK_DISPLAY_NAME_UNUSABLE
 */
export function requireDisplayText(raw: string): void {
  if (!isCertifiableName(raw.trim())) failName({ code: 'unusable' });
}

/**
 * The keys of `displayName` when no verified name collides with it and it passes the rules;
 * otherwise the refusal, answered with its code.
 */
export async function checkName(q: Queryable, displayName: string): Promise<ReservedName> {
  const name = reservedName(displayName);
  const refusal = judgeName(name, await findCollidingNames(q, name));
  if (refusal) failName(refusal);
  return name;
}

export async function requireNotVerified(q: Queryable, userId: string): Promise<void> {
  const merchant = await findMerchant(q, userId);
  if (merchant) {
    bankFail('BANK_MERCHANT_ALREADY_VERIFIED', `Already verified as "${merchant.displayName}"`, {
      displayName: merchant.displayName,
    });
  }
}

export async function pendingApplication(tx: Queryable, id: string): Promise<ApplicationRow> {
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

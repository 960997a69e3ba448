/** Seeds the demo users idempotently: a second start, or two at once, changes nothing. */
import type { Database } from '../../db/queryable.js';
import { isUniqueViolation } from '../../db/errors.js';
import { isBankError } from '../../errors.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { DEMO_USERS, openingReference, type DemoUser } from './demo.domain.js';
import { findCustomerAccount } from './demo.repo.js';

/** Dependencies of {@link seedDemoUsers}. */
export interface DemoDeps {
  db: Database;
  auth: Pick<AuthService, 'register'>;
  accounts: Pick<AccountsService, 'transfer' | 'systemAccount'>;
  audit: AuditLog;
}

async function fundOpening(deps: DemoDeps, user: DemoUser, accountId: string): Promise<boolean> {
  try {
    await deps.db.transaction(async (tx) => {
      const issuance = await deps.accounts.systemAccount(tx, 'issuance', user.currency);
      await deps.accounts.transfer(tx, {
        kind: 'funding',
        reference: openingReference(user),
        legs: [
          { accountId: issuance, amount: -user.openingMinor },
          { accountId, amount: user.openingMinor },
        ],
      });
      await deps.audit.append(tx, {
        actor: 'bank',
        action: 'demo.funded',
        data: { email: user.email, amountMinor: user.openingMinor.toString() },
      });
    });
    return true;
  } catch (err) {
    // Already funded (by an earlier start or a concurrent one).
    if (isUniqueViolation(err, 'transfers_kind_reference_key')) return false;
    throw err;
  }
}

/** Creates the missing demo users and pays their opening balances once. Returns emails created. */
export async function seedDemoUsers(
  deps: DemoDeps,
  users: readonly DemoUser[] = DEMO_USERS,
): Promise<string[]> {
  const created: string[] = [];
  for (const user of users) {
    let accountId = await findCustomerAccount(deps.db, user.email, user.currency);
    if (!accountId) {
      try {
        accountId = (await deps.auth.register(user)).accountId;
        created.push(user.email);
      } catch (err) {
        // Another instance seeding at the same moment registered the user first.
        if (!isBankError(err, 'BANK_EMAIL_TAKEN')) throw err;
        accountId = await findCustomerAccount(deps.db, user.email, user.currency);
      }
    }
    if (accountId && user.openingMinor > 0n) await fundOpening(deps, user, accountId);
  }
  return created;
}

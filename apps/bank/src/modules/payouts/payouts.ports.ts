/**
 * What the payouts service needs from the rest of the bank (handed in by plugins/services.ts),
 * in one file that the request and operator steps share without importing the service.
 */
import type { PayoutDebtor } from '../../config.js';
import type { Database, Queryable } from '../../db/queryable.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import type { WebhookOutbox } from '../webhooks/webhooks.ports.js';

/** Dependencies of the payouts service. */
export interface PayoutsDeps {
  db: Database;
  accounts: Pick<AccountsService, 'transfer' | 'systemAccount'>;
  audit: Pick<AuditLog, 'append'>;
  /** Appends an operator action's audit entry inside `tx` (the operators service). */
  record: (tx: Queryable, actor: OperatorActor, action: OperatorAction) => Promise<void>;
  /** The bank's account payouts are paid from (the debtor of pain.001 files). */
  debtor: PayoutDebtor;
  now: () => Date;
  /** Writes payout.* webhook events in each step's transaction; absent → none. */
  outbox?: WebhookOutbox;
}

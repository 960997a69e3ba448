/**
 * The console service's shape and what it is built from (console.service.ts): the functions of
 * other modules it is handed by plugins/services.ts, and what each call answers.
 */
import type { FraudProof } from '@offpay/protocol';
import type { Database, Queryable } from '../../db/queryable.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import type { AccountFilter, ConsoleAccountRow, PostingRow } from './console.accounts.repo.js';
import type { ActivityDeps, ConsoleActivity } from './console.activity.js';
import type { DailySummary, findingsOf, ViolationLike } from './console.domain.js';
import type * as risk from './console.risk.repo.js';

/** Appends an operator's audit entry inside the caller's transaction. */
export type RecordOperatorAction = (
  tx: Queryable,
  actor: OperatorActor,
  action: OperatorAction,
) => Promise<void>;

/** What revoking returns (the revocations service's outcome). */
export interface RevokeOutcome {
  serial: number;
  kind: 'payer' | 'payee';
  status: 'active' | 'closed' | 'revoked';
  closedAt: Date;
  reason: 'fraud' | 'closed' | 'compromised';
  revokedNow: boolean;
  publishedSeq: number | null;
  /** True when this revocation ended every session of the owner (a first compromise). */
  signedOut: boolean;
}

/** Dependencies of {@link createConsoleService}; the others' services come in as functions. */
export interface ConsoleDeps extends ActivityDeps {
  db: Database;
  record: RecordOperatorAction;
  /** The revocations service's revoke, inside the caller's transaction. */
  revoke: (
    tx: Queryable,
    input: { serial: number; reason: 'compromised' | 'closed' },
  ) => Promise<RevokeOutcome>;
  /** The reconciliation check on its own read-only snapshot (reconcile.service.ts). */
  reconcile: () => Promise<{
    violations: ViolationLike[];
    checked: ReconcileChecked;
  }>;
}

/** How much a reconciliation looked at. */
export type ReconcileChecked = Record<
  'certificates' | 'settlements' | 'payments' | 'proofs' | 'deposits' | 'payouts',
  number
>;

/** A page of rows and the cursor of the next one. */
export interface Page<T, C> {
  rows: T[];
  next: C | null;
}

/** A decoded proof with the bank's record of each payment. */
export interface ProofDetail {
  proof: risk.ProofRow;
  decoded: FraudProof;
  known: [risk.KnownPayment, risk.KnownPayment];
}

/** The console. */
export interface ConsoleService {
  accounts(actor: OperatorActor, f: AccountFilter): Promise<Page<ConsoleAccountRow, string>>;
  /** @throws BANK_ACCOUNT_NOT_FOUND */
  account(
    actor: OperatorActor,
    id: string,
    page: { before: bigint | null; limit: number },
  ): Promise<{ account: ConsoleAccountRow; postings: Page<PostingRow, bigint> }>;
  /** @throws BANK_ACCOUNT_NOT_FOUND */
  statement(
    actor: OperatorActor,
    id: string,
    range: { from: Date | null; to: Date | null },
  ): Promise<{ csv: string; truncated: boolean }>;
  refunds(
    actor: OperatorActor,
    before: bigint | null,
    limit: number,
  ): Promise<Page<risk.RefundRow, bigint>>;
  fraudProofs(
    actor: OperatorActor,
    before: bigint | null,
    limit: number,
  ): Promise<Page<risk.ProofRow, string>>;
  /** @throws BANK_FRAUD_PROOF_NOT_FOUND */
  fraudProof(actor: OperatorActor, id: string): Promise<ProofDetail>;
  certificates(
    actor: OperatorActor,
    f: risk.CertificateFilter,
  ): Promise<Page<risk.CertificateRow, number>>;
  /** @throws BANK_CERTIFICATE_NOT_FOUND */
  revoke(
    actor: OperatorActor,
    serial: number,
    revocationReason: 'compromised' | 'closed',
    why: string,
  ): Promise<RevokeOutcome>;
  reconcile(actor: OperatorActor): Promise<{
    checkedAt: Date;
    checked: ReconcileChecked;
    findings: ReturnType<typeof findingsOf>;
  }>;
  summary(actor: OperatorActor, date: string, format: 'json' | 'csv'): Promise<DailySummary>;
  summaryCsv(summary: DailySummary): string;
  /** The live activity: audited opening, and snapshots. */
  activity: ConsoleActivity;
}

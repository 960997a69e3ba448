/**
 * SQL of reconciliation: the facts reconcile.domain.ts checks, read from the ledger tables
 * (schema.sql). The simple ledger checks are narrowed in SQL (HAVING) so a large ledger sends only
 * its suspects; the domain decides.
 */
import type { Queryable } from '../../db/queryable.js';
import type {
  BalanceFact,
  CertificateFact,
  CurrencyTotal,
  OrphanTransferFact,
  PaymentFact,
  ProofFact,
  RecoveryFact,
  ReserveFact,
  SettlementFact,
  TransferFact,
} from './reconcile.domain.js';
import type { DepositFact, HoldFact, MoneyOrphanFact, PayoutFact } from './reconcile.money.js';

/** Σ postings per currency. */
export function currencyTotals(q: Queryable): Promise<CurrencyTotal[]> {
  return q.query<CurrencyTotal>(
    `SELECT currency::text AS currency, sum(amount)::text AS total FROM postings GROUP BY currency`,
  );
}

/** Transfers with fewer than two postings or a non-zero sum. */
export function suspectTransfers(q: Queryable): Promise<TransferFact[]> {
  return q.query<TransferFact>(
    `SELECT t.id::text AS "transferId", t.kind, t.reference, count(p.id)::int AS postings,
            coalesce(sum(p.amount), 0)::text AS total
     FROM transfers t LEFT JOIN postings p ON p.transfer_id = t.id
     GROUP BY t.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount), 0) <> 0`,
  );
}

/** Accounts whose balance row is missing or differs from the sum of their postings. */
export function suspectBalances(q: Queryable): Promise<BalanceFact[]> {
  return q.query<BalanceFact>(
    `SELECT a.id::text AS "accountId", b.balance::text AS balance,
            coalesce((SELECT sum(p.amount) FROM postings p WHERE p.account_id = a.id), 0)::text
              AS postings
     FROM accounts a LEFT JOIN account_balances b ON b.account_id = a.id
     WHERE b.balance IS NULL
        OR b.balance <> coalesce((SELECT sum(p.amount) FROM postings p WHERE p.account_id = a.id), 0)`,
  );
}

/** Every payer certificate with the totals of its settled payments. */
export async function certificates(q: Queryable): Promise<CertificateFact[]> {
  const rows = await q.query<{
    serial: bigint;
    account_id: string;
    user_id: string;
    currency: string;
    limit_minor: bigint;
    settled_minor: bigint;
    paid: string;
    paid_to_self: string;
    released: boolean;
    status: string;
    has_proof: boolean;
  }>(
    `WITH paid AS (
       SELECT p.serial, sum(p.amount) AS total,
              coalesce(sum(p.amount) FILTER (WHERE pe.account_id = pc.account_id), 0) AS to_self
       FROM payments p
       JOIN payer_certificates pc ON pc.serial = p.serial
       JOIN payee_certificates pe ON pe.serial = p.payee_serial
       WHERE p.status = 'settled' GROUP BY p.serial)
     SELECT c.serial, c.account_id, a.user_id, c.currency::text AS currency, c.limit_minor,
            c.settled_minor, coalesce(paid.total, 0)::text AS paid,
            coalesce(paid.to_self, 0)::text AS paid_to_self,
            c.reserve_released_at IS NOT NULL AS released, c.status,
            EXISTS (SELECT 1 FROM fraud_proofs f WHERE f.serial = c.serial) AS has_proof
     FROM payer_certificates c JOIN accounts a ON a.id = c.account_id
     LEFT JOIN paid ON paid.serial = c.serial`,
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    accountId: r.account_id,
    userId: r.user_id,
    currency: r.currency,
    limit: r.limit_minor,
    settledColumn: r.settled_minor,
    paid: BigInt(r.paid),
    paidToSelf: BigInt(r.paid_to_self),
    released: r.released,
    status: r.status,
    hasProof: r.has_proof,
  }));
}

/** Every reserve account and its balance. */
export async function reserves(q: Queryable): Promise<ReserveFact[]> {
  const rows = await q.query<{
    id: string;
    user_id: string | null;
    currency: string;
    balance: bigint;
  }>(
    `SELECT a.id, a.user_id, a.currency::text AS currency, b.balance
     FROM accounts a JOIN account_balances b ON b.account_id = a.id WHERE a.kind = 'reserve'`,
  );
  return rows.map((r) => ({
    accountId: r.id,
    userId: r.user_id,
    currency: r.currency,
    balance: r.balance,
  }));
}

/** What left each customer account in 'recovery' transfers. */
export async function recoveries(q: Queryable): Promise<RecoveryFact[]> {
  const rows = await q.query<{ account_id: string; recovered: string }>(
    `SELECT p.account_id, (-sum(p.amount))::text AS recovered
     FROM postings p JOIN transfers t ON t.id = p.transfer_id
     JOIN accounts a ON a.id = p.account_id
     WHERE t.kind = 'recovery' AND p.amount < 0 AND a.kind = 'customer'
     GROUP BY p.account_id`,
  );
  return rows.map((r) => ({ accountId: r.account_id, recovered: BigInt(r.recovered) }));
}

/** The settlement a 'settlement'/'recovery' transfer belongs to: `batch:<id>` or `batch:<id>:<n>`. */
const SETTLEMENT_OF = `substring(t.reference FROM '^batch:([0-9]{1,18})(:[0-9]+)?$')`;

/** Every stored settlement with its payments rows and what its transfers credited its payee. */
export async function settlements(q: Queryable): Promise<SettlementFact[]> {
  const rows = await q.query<{
    id: string;
    payee_serial: bigint;
    kid: Uint8Array;
    account_id: string;
    batch_key: Uint8Array;
    result: Uint8Array;
    row_ids: string[] | null;
    credited: string;
  }>(
    `WITH credits AS (
       SELECT ${SETTLEMENT_OF} AS settlement_id, p.account_id, sum(p.amount) AS total
       FROM transfers t JOIN postings p ON p.transfer_id = t.id
       WHERE t.kind IN ('settlement', 'recovery') AND p.amount > 0
       GROUP BY 1, 2),
     rows AS (
       SELECT settlement_id, array_agg(encode(payment_id, 'hex')) AS ids
       FROM payments WHERE status = 'settled' AND settlement_id IS NOT NULL GROUP BY settlement_id)
     SELECT s.id::text AS id, s.payee_serial, pe.kid, pe.account_id, s.batch_key, s.result,
            rows.ids AS row_ids, coalesce(c.total, 0)::text AS credited
     FROM settlements s JOIN payee_certificates pe ON pe.serial = s.payee_serial
     LEFT JOIN rows ON rows.settlement_id = s.id
     LEFT JOIN credits c ON c.settlement_id = s.id::text AND c.account_id = pe.account_id
     ORDER BY s.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    payeeSerial: Number(r.payee_serial),
    payeeKid: r.kid,
    payeeAccountId: r.account_id,
    batchKey: r.batch_key,
    result: r.result,
    rowIds: r.row_ids ?? [],
    credited: BigInt(r.credited),
  }));
}

/** Every settled payment: amount, settlement, and whether the payer paid its own till. */
export async function settledPayments(q: Queryable): Promise<PaymentFact[]> {
  const rows = await q.query<{
    id: string;
    amount: bigint;
    settlement_id: string | null;
    self_paid: boolean;
  }>(
    `SELECT encode(p.payment_id, 'hex') AS id, p.amount, p.settlement_id::text AS settlement_id,
            pe.account_id = pc.account_id AS self_paid
     FROM payments p
     JOIN payer_certificates pc ON pc.serial = p.serial
     JOIN payee_certificates pe ON pe.serial = p.payee_serial
     WHERE p.status = 'settled'`,
  );
  return rows.map((r) => ({
    id: r.id,
    amount: r.amount,
    settlementId: r.settlement_id,
    selfPaid: r.self_paid,
  }));
}

/** 'settlement'/'recovery' transfers whose reference names no stored settlement. */
export function orphanTransfers(q: Queryable): Promise<OrphanTransferFact[]> {
  return q.query<OrphanTransferFact>(
    `SELECT t.id::text AS "transferId", t.reference FROM transfers t
     WHERE t.kind IN ('settlement', 'recovery')
       AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.id::text = ${SETTLEMENT_OF})`,
  );
}

/** Every fraud proof with its certificate's revocation and status. */
export async function proofs(q: Queryable): Promise<ProofFact[]> {
  const rows = await q.query<{
    id: string;
    serial: bigint;
    reason: string | null;
    status: string;
  }>(
    `SELECT f.id::text AS id, f.serial, r.reason, c.status
     FROM fraud_proofs f JOIN payer_certificates c ON c.serial = f.serial
     LEFT JOIN revocations r ON r.serial = f.serial`,
  );
  return rows.map((r) => ({
    proofId: r.id,
    serial: Number(r.serial),
    revocationReason: r.reason,
    certificateStatus: r.status,
  }));
}

/** Every signing key the bank ever had (current and retired): results verify against them. */
export async function signingKeys(q: Queryable): Promise<Uint8Array[]> {
  const rows = await q.query<{ public_key: Uint8Array }>(
    `SELECT public_key FROM bank_keys WHERE kind = 'sign'`,
  );
  return rows.map((r) => r.public_key);
}

/** Every deposit with the postings of its transfer (deposit, reference). */
export function deposits(q: Queryable): Promise<DepositFact[]> {
  return q.query<DepositFact>(
    `SELECT d.id::text AS "depositId", d.reference, d.amount::text AS amount,
            t.id::text AS "transferId",
            (SELECT count(*) FROM postings p WHERE p.transfer_id = t.id)::int AS postings,
            (SELECT p.amount::text FROM postings p
              WHERE p.transfer_id = t.id AND p.account_id = d.account_id) AS credited,
            (SELECT p.amount::text FROM postings p JOIN accounts a ON a.id = p.account_id
              WHERE p.transfer_id = t.id AND a.kind = 'clearing') AS debited
     FROM deposits d LEFT JOIN transfers t ON t.kind = 'deposit' AND t.reference = d.reference`,
  );
}

/** The posting of a payout's transfer of `kind` on its own account (or on clearing). */
const payoutPosting = (kind: string, onClearing = false) =>
  `(SELECT po.amount::text FROM transfers t JOIN postings po ON po.transfer_id = t.id
      ${onClearing ? "JOIN accounts a ON a.id = po.account_id AND a.kind = 'clearing'" : ''}
    WHERE t.kind = '${kind}' AND t.reference = p.id::text
      ${onClearing ? '' : 'AND po.account_id = p.account_id'})`;

/** Every payout with what its transfers moved. */
export function payouts(q: Queryable): Promise<PayoutFact[]> {
  return q.query<PayoutFact>(
    `SELECT p.id::text AS "payoutId", p.state, p.amount::text AS amount,
            ${payoutPosting('payout_hold')} AS held,
            ${payoutPosting('payout_return')} AS returned,
            ${payoutPosting('payout_paid', true)} AS paid
     FROM payouts p`,
  );
}

/** Per currency: the payout-hold balance and the payouts that should be in it. */
export function holds(q: Queryable): Promise<HoldFact[]> {
  return q.query<HoldFact>(
    `WITH bal AS (
       SELECT a.currency::text AS currency, b.balance FROM accounts a
       JOIN account_balances b ON b.account_id = a.id WHERE a.kind = 'payout_hold'),
     held AS (
       SELECT currency::text AS currency, sum(amount) AS held FROM payouts
       WHERE state IN ('requested', 'approved', 'in_flight') GROUP BY currency)
     SELECT coalesce(bal.currency, held.currency) AS currency,
            coalesce(bal.balance, 0)::text AS balance, coalesce(held.held, 0)::text AS held
     FROM bal FULL JOIN held ON held.currency = bal.currency`,
  );
}

/** Deposit and payout transfers whose reference names no deposit or payout. */
export function moneyOrphans(q: Queryable): Promise<MoneyOrphanFact[]> {
  return q.query<MoneyOrphanFact>(
    `SELECT t.id::text AS "transferId", t.kind, t.reference FROM transfers t
     WHERE (t.kind = 'deposit' AND NOT EXISTS (SELECT 1 FROM deposits d WHERE d.reference = t.reference))
        OR (t.kind IN ('payout_hold', 'payout_return', 'payout_paid')
            AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.id::text = t.reference))`,
  );
}

/**
 * The ledger's invariants (issue #10 item 10, docs/operations.md "Reconciliation"), as pure checks
 * over facts the repository reads from a live database. Each check returns the violations it
 * found, each with a stable code and the rows that break it; an empty list means the books agree.
 * No pg, no fastify: the bank's public keys and every row are parameters.
 */
import { toHex } from '@offpay/crypto';
import {
  decodeSettlementResult,
  verifySettlementResult,
  type BankKeys,
  type SettlementResult,
} from '@offpay/protocol';
import { reserveRemaining } from '../reserves/reserves.domain.js';

/** Every violation reconcile can name (docs/operations.md "Reconciliation" says what each means). */
export const VIOLATION_CODES = [
  'LEDGER_CURRENCY_UNBALANCED',
  'LEDGER_TRANSFER_UNBALANCED',
  'LEDGER_BALANCE_DRIFT',
  'PAYMENT_SETTLED_TWICE',
  'SETTLEMENT_MONEY_MISMATCH',
  'CERTIFICATE_SETTLED_MISMATCH',
  'RESERVE_MISMATCH',
  'RECOVERY_MISMATCH',
  'RECOVERY_WITHOUT_PROOF',
  'PROOF_NOT_REVOKED',
  'RESULT_UNDECODABLE',
  'RESULT_SIGNATURE_INVALID',
  'RESULT_DISAGREES',
  'DEPOSIT_TRANSFER_MISMATCH',
  'PAYOUT_HOLD_MISMATCH',
  'PAYOUT_MONEY_MISMATCH',
] as const;

/** A violation's code. */
export type ViolationCode = (typeof VIOLATION_CODES)[number];

/** One broken invariant: what, in words, and the rows (JSON-ready: strings, numbers) that break it. */
export interface Violation {
  code: ViolationCode;
  message: string;
  rows: Record<string, string | number | boolean | null>[];
}

/** A currency's postings total (text: a numeric sum). */
export interface CurrencyTotal {
  currency: string;
  total: string;
}

/** A transfer whose postings are fewer than two or do not sum to zero. */
export interface TransferFact {
  transferId: string;
  kind: string;
  reference: string;
  postings: number;
  total: string;
}

/** An account whose stored balance is not the sum of its postings (or has no balance row). */
export interface BalanceFact {
  accountId: string;
  balance: string | null;
  postings: string;
}

/** One payer certificate with what its payments rows say. */
export interface CertificateFact {
  serial: number;
  accountId: string;
  userId: string;
  currency: string;
  limit: bigint;
  settledColumn: bigint;
  /** Σ amounts of its payments with status settled. */
  paid: bigint;
  /** Σ amounts of those paid to a till of the payer's own account (self-dealing). */
  paidToSelf: bigint;
  released: boolean;
  status: string;
  hasProof: boolean;
}

/** A reserve account: its balance and the user whose certificates it holds for. */
export interface ReserveFact {
  accountId: string;
  userId: string | null;
  currency: string;
  balance: bigint;
}

/** What left one customer account in 'recovery' transfers. */
export interface RecoveryFact {
  accountId: string;
  recovered: bigint;
}

/** A stored settlement with what its rows and transfers say. */
export interface SettlementFact {
  id: string;
  payeeSerial: number;
  payeeKid: Uint8Array;
  payeeAccountId: string;
  batchKey: Uint8Array;
  result: Uint8Array;
  /** Hex ids of its payments rows (status settled, settlement_id = id). */
  rowIds: string[];
  /** Credits to the payee account in its 'settlement'/'recovery' transfers. */
  credited: bigint;
}

/** A settled payment row: amount, and whether its payer's account is the payee's own. */
export interface PaymentFact {
  id: string;
  amount: bigint;
  selfPaid: boolean;
  settlementId: string | null;
}

/** A fraud proof and whether its certificate is revoked (row in revocations and status). */
export interface ProofFact {
  proofId: string;
  serial: number;
  revocationReason: string | null;
  certificateStatus: string;
}

/** 'settlement'/'recovery' credits whose reference names no stored settlement. */
export interface OrphanTransferFact {
  transferId: string;
  reference: string;
}

/** Currencies whose postings do not sum to zero. */
export function checkCurrencies(totals: readonly CurrencyTotal[]): Violation[] {
  const bad = totals.filter((t) => BigInt(t.total) !== 0n);
  return violation('LEDGER_CURRENCY_UNBALANCED', 'postings do not sum to zero in a currency', bad);
}

/** Transfers with fewer than two postings or a non-zero sum. */
export function checkTransfers(facts: readonly TransferFact[]): Violation[] {
  const bad = facts.filter((t) => t.postings < 2 || BigInt(t.total) !== 0n);
  return violation(
    'LEDGER_TRANSFER_UNBALANCED',
    'transfers with fewer than two postings or postings not summing to zero',
    bad,
  );
}

/** Accounts whose balance is not the sum of their postings. */
export function checkBalances(facts: readonly BalanceFact[]): Violation[] {
  const bad = facts.filter((b) => b.balance === null || BigInt(b.balance) !== BigInt(b.postings));
  return violation('LEDGER_BALANCE_DRIFT', 'balances that are not the sum of postings', bad);
}

/** Certificates whose settled total is not the sum of their settled payments. */
export function checkCertificateTotals(certs: readonly CertificateFact[]): Violation[] {
  const bad = certs
    .filter((c) => c.settledColumn !== c.paid)
    .map((c) => ({ serial: c.serial, settled: String(c.settledColumn), paid: String(c.paid) }));
  return violation(
    'CERTIFICATE_SETTLED_MISMATCH',
    'certificates whose settled total is not the sum of their settled payments',
    bad,
  );
}

/**
 * Reserve accounts whose balance is not Σ(limit − min(paid, limit)) over their owner's unreleased
 * certificates in that currency (paid: from the payments rows, the source of truth).
 */
export function checkReserves(
  reserves: readonly ReserveFact[],
  certs: readonly CertificateFact[],
): Violation[] {
  const expected = new Map<string, bigint>();
  for (const c of certs) {
    const key = `${c.userId}/${c.currency}`;
    const held = reserveRemaining({
      limit: c.limit,
      settled: c.paid,
      releasedAt: c.released ? new Date(0) : null,
    });
    expected.set(key, (expected.get(key) ?? 0n) + held);
  }
  const bad = reserves
    .map((r) => ({ r, want: expected.get(`${r.userId}/${r.currency}`) ?? 0n }))
    .filter(({ r, want }) => r.balance !== want)
    .map(({ r, want }) => ({
      accountId: r.accountId,
      currency: r.currency,
      balance: String(r.balance),
      expected: String(want),
    }));
  return violation(
    'RESERVE_MISMATCH',
    'reserve accounts not holding Σ(limit − min(settled, limit)) of unreleased certificates',
    bad,
  );
}

/**
 * Recovery: what left each payer's customer account in 'recovery' transfers is what its
 * certificates settled beyond their limits — less, at most, what went to the payer's own till
 * (recovery from oneself moves nothing) — and only certificates with a stored proof go beyond.
 */
export function checkRecoveries(
  certs: readonly CertificateFact[],
  recoveries: readonly RecoveryFact[],
): Violation[] {
  const beyond = new Map<string, { want: bigint; self: bigint }>();
  for (const c of certs) {
    const over = c.paid > c.limit ? c.paid - c.limit : 0n;
    const acc = beyond.get(c.accountId) ?? { want: 0n, self: 0n };
    acc.want += over;
    acc.self += c.paidToSelf < over ? c.paidToSelf : over;
    beyond.set(c.accountId, acc);
  }
  const got = new Map(recoveries.map((r) => [r.accountId, r.recovered]));
  const accounts = new Set([...beyond.keys(), ...got.keys()]);
  const mismatched = [...accounts]
    .map((accountId) => {
      const b = beyond.get(accountId) ?? { want: 0n, self: 0n };
      return { accountId, b, recovered: got.get(accountId) ?? 0n };
    })
    .filter(({ b, recovered }) => recovered > b.want || recovered < b.want - b.self)
    .map(({ accountId, b, recovered }) => ({
      accountId,
      recovered: String(recovered),
      beyondReserve: String(b.want),
      toOwnTill: String(b.self),
    }));
  const unproven = certs
    .filter((c) => c.paid > c.limit && !c.hasProof)
    .map((c) => ({ serial: c.serial, limit: String(c.limit), paid: String(c.paid) }));
  return [
    ...violation(
      'RECOVERY_MISMATCH',
      'recovered amounts that are not what certificates settled beyond their reserve',
      mismatched,
    ),
    ...violation(
      'RECOVERY_WITHOUT_PROOF',
      'certificates settled beyond their reserve without a stored fraud proof',
      unproven,
    ),
  ];
}

/** Fraud proofs whose certificate is not revoked for fraud. */
export function checkProofs(proofs: readonly ProofFact[]): Violation[] {
  const bad = proofs.filter(
    (p) => p.revocationReason !== 'fraud' || p.certificateStatus !== 'revoked',
  );
  return violation('PROOF_NOT_REVOKED', 'fraud proofs whose certificate is not revoked', bad);
}

/** Decodes and verifies each stored result; the ones that do are returned for agreement checks. */
export function checkResults(
  settlements: readonly SettlementFact[],
  bankKeys: BankKeys,
): { violations: Violation[]; decoded: Map<string, SettlementResult> } {
  const undecodable: Violation['rows'] = [];
  const unsigned: Violation['rows'] = [];
  const decoded = new Map<string, SettlementResult>();
  for (const s of settlements) {
    let result: SettlementResult;
    try {
      result = decodeSettlementResult(s.result);
    } catch (err) {
      undecodable.push({ settlementId: s.id, error: errorCode(err) });
      continue;
    }
    try {
      verifySettlementResult(result, bankKeys);
    } catch (err) {
      unsigned.push({ settlementId: s.id, error: errorCode(err) });
      continue;
    }
    decoded.set(s.id, result);
  }
  return {
    violations: [
      ...violation('RESULT_UNDECODABLE', 'stored results that do not decode', undecodable),
      ...violation(
        'RESULT_SIGNATURE_INVALID',
        "stored results not signed by one of the bank's keys",
        unsigned,
      ),
    ],
    decoded,
  };
}

/**
 * Stored results against the payments rows and the money: each result names its payee and batch
 * key; its settled entries are exactly its settlement's payments rows; its duplicate entries were
 * settled by another batch; no payment is settled by two results; the payee was credited the
 * settled amounts (less, at most, what the payee paid itself beyond its reserve); and no
 * settlement or recovery transfer names a settlement that does not exist.
 */
export function checkSettlements(
  settlements: readonly SettlementFact[],
  decoded: ReadonlyMap<string, SettlementResult>,
  payments: readonly PaymentFact[],
  orphans: readonly OrphanTransferFact[],
): Violation[] {
  const byId = new Map(payments.map((p) => [p.id, p]));
  const settledBy = new Map<string, string[]>();
  const disagree: Violation['rows'] = [];
  const money: Violation['rows'] = [];
  for (const s of settlements) {
    const r = decoded.get(s.id);
    if (!r) continue;
    const listed = r.results.filter((e) => e.status === 'settled').map((e) => toHex(e.paymentId));
    for (const id of listed) settledBy.set(id, [...(settledBy.get(id) ?? []), s.id]);
    disagree.push(...disagreements(s, r, listed, byId));
    const paid = listed.reduce((sum, id) => sum + (byId.get(id)?.amount ?? 0n), 0n);
    const toSelf = listed.reduce(
      (sum, id) => sum + (byId.get(id)?.selfPaid ? byId.get(id)!.amount : 0n),
      0n,
    );
    if (s.credited > paid || s.credited < paid - toSelf)
      money.push({ settlementId: s.id, credited: String(s.credited), settled: String(paid) });
  }
  for (const o of orphans)
    money.push({ transferId: o.transferId, reference: o.reference, settled: 'no such settlement' });
  const twice = [...settledBy]
    .filter(([, ids]) => ids.length > 1)
    .map(([paymentId, ids]) => ({ paymentId, settlementIds: ids.join(',') }));
  return [
    ...violation(
      'RESULT_DISAGREES',
      'stored results that disagree with the payments rows',
      disagree,
    ),
    ...violation('PAYMENT_SETTLED_TWICE', 'payments settled by more than one result', twice),
    ...violation(
      'SETTLEMENT_MONEY_MISMATCH',
      'settlements whose money moved is not what their result settled',
      money,
    ),
  ];
}

function disagreements(
  s: SettlementFact,
  r: SettlementResult,
  listed: readonly string[],
  byId: ReadonlyMap<string, PaymentFact>,
): Violation['rows'] {
  const out: Violation['rows'] = [];
  const note = (what: string, paymentId: string | null = null) =>
    out.push({ settlementId: s.id, what, paymentId });
  if (toHex(r.batchKey) !== toHex(s.batchKey)) note('batch key differs from the column');
  if (toHex(r.payeeKid) !== toHex(s.payeeKid)) note("payee kid is not the settlement's payee");
  const rows = new Set(s.rowIds);
  for (const id of listed) if (!rows.has(id)) note('settled entry without its payments row', id);
  const inResult = new Set(listed);
  for (const id of s.rowIds) if (!inResult.has(id)) note('payments row not settled by it', id);
  for (const e of r.results.filter((x) => x.status === 'duplicate')) {
    const id = toHex(e.paymentId);
    const p = byId.get(id);
    if (!p || p.settlementId === null) note('duplicate entry of a payment never settled', id);
  }
  return out;
}

function violation(code: ViolationCode, message: string, rows: readonly object[]): Violation[] {
  if (rows.length === 0) return [];
  return [{ code, message, rows: rows.map((r) => ({ ...r })) }];
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) return String(err.code);
  return err instanceof Error ? err.message : String(err);
}

/** One line per violation for people: `CODE (n rows): message`, then the first rows. */
export function formatViolations(violations: readonly Violation[], maxRows = 10): string {
  if (violations.length === 0) return 'reconcile: the books agree (no violation)';
  const lines = [`reconcile: ${violations.length} invariant(s) violated`];
  for (const v of violations) {
    lines.push(`${v.code} (${v.rows.length} row(s)): ${v.message}`);
    for (const row of v.rows.slice(0, maxRows)) lines.push(`  ${JSON.stringify(row)}`);
    if (v.rows.length > maxRows) lines.push(`  … ${v.rows.length - maxRows} more`);
  }
  return lines.join('\n');
}

/**
 * The settlement rule (DESIGN.md §3 "Settlement rule", docs/protocol.md §6 as the bank applies it):
 * pure decisions over one verified batch, given what the database holds. No pg, no fastify; time
 * is a parameter. The service turns the outcomes into rows and postings in one transaction.
 */
import type { EntryCode } from '@offpay/api';
import { equalBytes } from '@offpay/crypto';
import {
  checkPaymentRules,
  detectFraud,
  FRAUD_CODE,
  GRACE_SECONDS,
  isAppError,
  PROTO_ERRORS,
  type ChainLink,
  type FraudKind,
  type Payment,
  type ProtoErrorCode,
} from '@offpay/protocol';
import { fundPayment } from './recovery.domain.js';

/** A payer certificate as the bank holds it, locked for this batch. */
export interface CertState {
  serial: number;
  accountId: string;
  currency: string;
  limit: bigint;
  /** Total already settled against the certificate (from its reserve and from recovery). */
  settled: bigint;
  /** The certificate tbs the bank issued: a presented certificate must be this one. */
  certTbs: Uint8Array;
  /** True once the unspent reserve went back to the payer: nothing settles against it any more. */
  released?: boolean;
  /** True when a fraud proof against this certificate is already stored. */
  proven?: boolean;
  /**
   * The most ever recovered from the payer's available balance for this certificate
   * (recovery.domain.ts); absent → the limit once more.
   */
  recoveryCap?: bigint;
  /**
   * Bank time (Unix seconds) from which nothing is recovered beyond the reserve: the owner's
   * close or a compromise report. Absent → recovery is open.
   */
  recoveryEndedAt?: number;
}

/** One entry of the batch, after the signature checks done before the transaction. */
export interface BatchEntry {
  index: number;
  payment: Payment;
  /** The code of a failed signature or issuer check, or null when the signatures verify. */
  signatureCode: ProtoErrorCode | null;
}

/** Everything the rule reads. */
export interface SettlementInput {
  payee: { kid: Uint8Array; currency: string };
  entries: readonly BatchEntry[];
  certs: ReadonlyMap<number, CertState>;
  /** Settled payments by payer serial, for fraud detection. */
  settled: ReadonlyMap<number, readonly ChainLink[]>;
  /** Hex ids of every payment settled before. */
  settledIds: ReadonlySet<string>;
  /** Available balance of each payer account, for recovery beyond the reserve. */
  available: ReadonlyMap<string, bigint>;
  /** Bank clock, Unix seconds. */
  now: number;
}

/** Money to move for one settled entry. */
export interface Movement {
  serial: number;
  payerAccountId: string;
  fromReserve: bigint;
  fromAvailable: bigint;
}

/** The outcome of one entry. */
export interface EntryOutcome {
  index: number;
  payment: Payment;
  status: 'settled' | 'duplicate' | 'rejected';
  /** Why it was rejected; '' when it settled or was a duplicate. */
  code: EntryCode | '';
  movement?: Movement;
}

/** A fraud found while settling: the new payment and the one it conflicts with. */
export interface FraudFinding {
  serial: number;
  kind: FraudKind;
  payment: Payment;
  conflictingId: Uint8Array;
}

/** The decisions for a whole batch. */
export interface SettlementDecision {
  outcomes: EntryOutcome[];
  frauds: FraudFinding[];
}

/** Code for a payment whose certificate the bank never issued (or not with these bytes). */
export const UNKNOWN_CERTIFICATE = 'BANK_UNKNOWN_CERTIFICATE' satisfies EntryCode;
/** Code for a payment beyond the reserve with no fraud to recover against (never expected). */
export const RESERVE_EXHAUSTED = 'BANK_RESERVE_EXHAUSTED' satisfies EntryCode;

/**
 * The protocol code a check threw, or null when it passed; anything else is rethrown (a defect,
 * never an entry's fault).
 */
export function protoCodeOf(check: () => void): ProtoErrorCode | null {
  try {
    check();
    return null;
  } catch (e) {
    if (isAppError(e) && Object.hasOwn(PROTO_ERRORS, e.code)) return e.code as ProtoErrorCode;
    throw e;
  }
}

/**
 * Decides every entry in batch order. Entries settled earlier in the batch count as settled for
 * the later ones (duplicates, fraud, the reserve).
 */
export function decideSettlement(input: SettlementInput): SettlementDecision {
  const settledIds = new Set(input.settledIds);
  const settled = new Map<number, ChainLink[]>([...input.settled].map(([k, v]) => [k, [...v]]));
  const reserveUsed = new Map<number, bigint>();
  const available = new Map(input.available);
  const outcomes: EntryOutcome[] = [];
  const frauds: FraudFinding[] = [];
  const proven = new Set<number>();

  for (const entry of input.entries) {
    const { payment } = entry;
    const reject = (code: EntryCode): void => {
      outcomes.push({ index: entry.index, payment, status: 'rejected', code });
    };
    if (entry.signatureCode) {
      reject(entry.signatureCode);
      continue;
    }
    const id = hexId(payment.paymentId);
    if (settledIds.has(id)) {
      outcomes.push({ index: entry.index, payment, status: 'duplicate', code: '' });
      continue;
    }
    const cert = input.certs.get(payment.serial);
    if (!cert || !equalBytes(cert.certTbs, payment.payerCert.tbs)) {
      reject(UNKNOWN_CERTIFICATE);
      continue;
    }
    // A released reserve means expiry + grace has passed, whatever clock this batch read.
    const ruleCode = cert.released ? 'PROTO_CERT_EXPIRED' : ruleViolation(payment, input);
    if (ruleCode) {
      reject(ruleCode);
      continue;
    }
    const history = settled.get(payment.serial) ?? [];
    const conflict = findConflict(payment, history);
    if (conflict || cert.proven) proven.add(cert.serial);
    if (conflict)
      frauds.push({
        serial: payment.serial,
        kind: conflict.kind,
        payment,
        conflictingId: conflict.with.paymentId,
      });

    // Beyond the reserve, a proven cheater pays from its own balance (DESIGN §3), up to the
    // recovery cap and never after a close or a compromise report (recovery.domain.ts). Invariant:
    // a chain that spends past its limit always contains a proof pair, found now or stored before.
    const movement = fund(payment, cert, reserveUsed, available, {
      proven: proven.has(cert.serial),
      now: input.now,
    });
    if (!movement) {
      reject(conflict ? FRAUD_CODE[conflict.kind] : RESERVE_EXHAUSTED);
      continue;
    }
    outcomes.push({ index: entry.index, payment, status: 'settled', code: '', movement });
    settledIds.add(id);
    // Appended in place (the map holds this batch's own copies): no copy per payment.
    if (!settled.has(payment.serial)) settled.set(payment.serial, history);
    history.push(payment);
  }
  return { outcomes, frauds };
}

/** §6 steps 7–13 with the bank's clock and grace; null when the payment passes. */
function ruleViolation(payment: Payment, input: SettlementInput): ProtoErrorCode | null {
  return protoCodeOf(() =>
    checkPaymentRules(payment, {
      payeeKid: input.payee.kid,
      currency: input.payee.currency,
      now: input.now,
      graceSeconds: GRACE_SECONDS,
    }),
  );
}

/** The first settled link, in history order, that proves fraud with `payment`. */
function findConflict(
  payment: Payment,
  history: readonly ChainLink[],
): { kind: FraudKind; with: ChainLink } | null {
  for (const earlier of history) {
    if (!mayConflict(earlier, payment)) continue;
    const kind = detectFraud(earlier, payment);
    if (kind) return { kind, with: earlier };
  }
  return null;
}

/**
 * A necessary condition for `detectFraud(a, b)` (docs/protocol.md §8), cheap enough to run against
 * a payer's whole history for every payment: counters equal or adjacent (equivocation, fork), a
 * prev link between the two (fork), or the higher counter's spent not covering the lower one's
 * (understated). Most pairs fail it on numbers alone; `detectFraud` decides the rest, so the
 * answer is the one the full scan gives (docs/PERFORMANCE.md "apps/bank").
 */
export function mayConflict(a: ChainLink, b: ChainLink): boolean {
  const d = a.counter - b.counter;
  if (d >= -1 && d <= 1) return true;
  // Understated: the higher counter's spent, less its amount, below the lower one's spent.
  if (d < 0 ? b.spent - b.amount < a.spent : a.spent - a.amount < b.spent) return true;
  return linked(a.prev, b.paymentId) || linked(b.prev, a.paymentId);
}

/** Hex of a payment id through Buffer (native): once per entry, where `toHex` builds a string per byte. */
const hexId = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** equalBytes with a first-byte shortcut: ids are public, so no constant time is needed. */
const linked = (prev: Uint8Array, id: Uint8Array) => prev[0] === id[0] && equalBytes(prev, id);

/**
 * Funds a payment by the recovery rule (recovery.domain.ts), counting this batch's earlier
 * payments of the certificate and recoveries from the account; null when it is not paid.
 */
function fund(
  payment: Payment,
  cert: CertState,
  reserveUsed: Map<number, bigint>,
  available: Map<string, bigint>,
  at: { proven: boolean; now: number },
): Movement | null {
  const amount = BigInt(payment.amount);
  const used = reserveUsed.get(cert.serial) ?? 0n;
  const balance = available.get(cert.accountId) ?? 0n;
  const funding = fundPayment({
    amount,
    limit: cert.limit,
    settled: cert.settled + used,
    cap: cert.recoveryCap ?? cert.limit,
    available: balance,
    proven: at.proven,
    recoveryEnded: cert.recoveryEndedAt !== undefined && at.now >= cert.recoveryEndedAt,
  });
  if (!funding) return null;
  if (funding.fromAvailable > 0n) available.set(cert.accountId, balance - funding.fromAvailable);
  reserveUsed.set(cert.serial, used + amount);
  return { serial: cert.serial, payerAccountId: cert.accountId, ...funding };
}
